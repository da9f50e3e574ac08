"""Features of candidate blocks for the block classifier, read from a real lxml tree."""

from __future__ import annotations

import numpy as np
import trafilatura

from newsflow.extract.blocks import NAMES, article_body, features

PROSE = (
    "The council voted on Tuesday to close the old bridge, after engineers found cracks "
    "in two of its piers."
)
PAGE = f"""<html><head><script type="application/ld+json">
{{"@type": "NewsArticle", "articleBody": "{PROSE} More text follows."}}
</script></head><body>
<nav><ul><li><a href="/">Home</a></li></ul></nav>
<div class="story-body"><article><h2>Bridge closed</h2><p>{PROSE}</p></article></div>
<div class="related-links"><ul><li><a href="/a">Another story about bridges in town</a></li></ul></div>
</body></html>"""


def col(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, NAMES.index(name)]


def test_article_body_reads_json_ld() -> None:
    """The JSON-LD articleBody is read whitespace-normalized, before scripts are stripped."""
    tree = trafilatura.load_html(PAGE)
    assert article_body(tree).startswith("The council voted on Tuesday")


def test_article_body_absent_is_empty() -> None:
    """A page without JSON-LD gives an empty body, not an error."""
    assert article_body(trafilatura.load_html("<html><body><p>x</p></body></html>")) == ""


def test_rows_describe_each_block() -> None:
    """Prose inside the article and a link list outside it get the features that tell them apart."""
    tree = trafilatura.load_html(PAGE)
    blocks = ["Bridge closed", PROSE, "Another story about bridges in town"]
    rows = features(tree, blocks, article_body(tree))
    assert rows.shape == (3, len(NAMES))
    assert col(rows, "matched").tolist() == [1.0, 1.0, 1.0]
    assert col(rows, "tag_h").tolist() == [1.0, 0.0, 0.0]
    assert col(rows, "tag_li").tolist() == [0.0, 0.0, 1.0]
    assert col(rows, "in_article").tolist() == [1.0, 1.0, 0.0]
    assert col(rows, "in_body").tolist() == [0.0, 1.0, 0.0]
    assert col(rows, "link_density")[2] == 1.0 and col(rows, "link_density")[1] == 0.0
    assert col(rows, "good_words")[1] > 0 and col(rows, "bad_words")[2] > 0
    assert col(rows, "terminal").tolist() == [0.0, 1.0, 0.0]
    assert col(rows, "position").tolist() == [0.0, 0.5, 1.0]


def test_unmatched_block_has_no_element_features() -> None:
    """A block with no element of its text (trafilatura joined it) is flagged unmatched."""
    tree = trafilatura.load_html(PAGE)
    rows = features(tree, ["Text that appears nowhere on the page at all."])
    assert col(rows, "matched")[0] == 0.0
    assert col(rows, "tag_p")[0] == 0.0


def test_no_blocks_no_rows() -> None:
    """An empty pass gives an empty matrix of the right width."""
    rows = features(trafilatura.load_html(PAGE), [])
    assert rows.shape == (0, len(NAMES))
