"""The text cleaner: what each rule removes, and the article sentences it must leave alone."""

from __future__ import annotations

import pytest

from newsflow.extract.clean import clean_blocks, cues

# Three paragraphs of an invented article, long enough to count as prose.
BODY = [
    "The water board said on Friday that the reservoir above the valley had reached its lowest level since records began in 1952, after a summer with less than half the usual rain.",
    "Farmers downstream have been told they may draw water only at night, and the board will decide next month whether to stop irrigation altogether if the autumn stays dry.",
    "Engineers are checking the dam for cracks that low water has exposed. They said none found so far was a danger, but that the inspection would take until the end of the year.",
]


@pytest.mark.parametrize(
    ("blocks", "kind", "count"),
    [
        (
            [
                *BODY,
                "This site uses cookies to give you a better experience. By continuing you agree to our cookie policy. Accept",
            ],
            "cookie_banner",
            1,
        ),
        (
            ["We value your privacy: we and our partners use cookies. Manage settings", *BODY],
            "cookie_banner",
            1,
        ),
        ([*BODY, "Edited By Jane Roe", "Valley Post International–Monitoring"], "footer", 2),
        ([*BODY, "Reporting by Tom Hall; Editing by Sara Lee"], "footer", 1),
        ([*BODY, "© 2024 Valley Post Ltd"], "copyright", 1),
        ([*BODY, "Copyright Valley Post. All rights reserved."], "copyright", 1),
        ([*BODY, "Share this article", "Sign up for our daily newsletter"], "prompt", 2),
        (
            [
                *BODY,
                "Have a tip? Jane Roe can be reached at jane@valleypost.example. Follow her on X @janeroe.",
            ],
            "prompt",
            1,
        ),
        ([BODY[0], "Photo: John Smith / Valley Post", *BODY[1:]], "caption", 1),
        ([BODY[0], "The dry reservoir bed near the dam. (Reuters)", *BODY[1:]], "caption", 1),
        (
            [BODY[0], "Cattle by the dry river. Photograph: Anna Berg/Getty Images", *BODY[1:]],
            "caption",
            1,
        ),
        (
            [
                *BODY,
                "Most Read",
                "- Ferry Timetable Changes Next Week",
                "- New Head Teacher for Valley School",
            ],
            "related",
            3,
        ),
        ([BODY[0], "READ MORE: Valley farmers count the cost of drought", *BODY[1:]], "related", 1),
        (
            [
                BODY[0],
                "Don't miss",
                "Dam Inspection Begins",
                "Rain Forecast for October",
                *BODY[1:],
            ],
            "related",
            3,
        ),
        (["Reservoir Falls to Record Low", *BODY], "repeated_lead", 1),
        ([*BODY, BODY[0]], "repeated_lead", 1),
        (["By Jane Roe", *BODY], "byline", 1),
    ],
)
def test_rule_removes_its_kind(blocks: list[str], kind: str, count: int) -> None:
    """Each boilerplate shape is removed, counted under its kind, and the article paragraphs stay."""
    kept, removed = clean_blocks(blocks, ["Reservoir Falls to Record Low"])
    assert removed[kind] == count
    assert sum(removed.values()) == count
    assert kept == BODY


COOKIE_LAW = [
    "The court ruled on Tuesday that a news website broke the law by setting advertising cookies before visitors gave their consent.",
    "Under the rules a website must let visitors refuse cookies as easily as they accept them, the judges said, and must record each visitor's consent.",
    "The publisher said it would change its banner. Privacy groups said most sites still make it hard to reject tracking cookies.",
    "Regulators said they would check whether websites that use cookies ask for consent first.",
]


def test_article_about_cookies_keeps_every_sentence() -> None:
    """An article about cookie consent law, even its last paragraph, is not taken for a banner."""
    kept, removed = clean_blocks(COOKIE_LAW)
    assert kept == COOKIE_LAW
    assert not removed


def test_quoted_banner_wording_inside_article_stays() -> None:
    """Banner wording quoted in the middle of an article stays: consent rules act only on the edges."""
    quoted = (
        "The banner read: we use cookies to improve your experience, accept or manage settings."
    )
    blocks = [BODY[0], quoted, *BODY[1:]]
    kept, removed = clean_blocks(blocks)
    assert kept == blocks
    assert not removed


@pytest.mark.parametrize(
    "block",
    [
        "The minister told Reuters that talks would resume on Monday.",
        "Shares in the company rose 4% after the AP reported the deal.",
        "- Sign up for the water board's drought alerts on its website",
        "Click here to download the board's full report on the reservoir.",
        "Sign up for a library card at any branch to borrow the full report.",
    ],
)
def test_article_lines_that_resemble_boilerplate_stay(block: str) -> None:
    """Body sentences naming an agency, or list items and links inside the article, are kept."""
    blocks = [BODY[0], block, *BODY[1:]]
    kept, removed = clean_blocks(blocks)
    assert kept == blocks
    assert not removed


def test_title_case_lines_need_prose_above() -> None:
    """A document made only of short title-case lines is not emptied by the shape rule."""
    blocks = ["Opening Hours", "Monday to Friday", "Main Street Library"]
    kept, _ = clean_blocks(blocks)
    assert kept == blocks


def test_shape_rule_takes_at_most_two_lines() -> None:
    """Only the last two short title-case lines after the article go, not a longer info box."""
    box = ["Valley Water Week", "Town Hall Exhibition", "Free Entry for Residents"]
    kept, removed = clean_blocks([*BODY, *box])
    assert kept == [*BODY, box[0]]
    assert removed == {"footer": 2}


def test_minor_words_do_not_break_title_case() -> None:
    """An outlet line with lower-case "on" twice still reads as title case."""
    blocks = [*BODY, "Valley News on Sunday on Air"]
    kept, removed = clean_blocks(blocks)
    assert kept == BODY
    assert removed == {"footer": 1}


def test_cue_files_hold_only_strings() -> None:
    """Every cue loads as a string (YAML would read a bare on/no/yes as a boolean)."""
    c = cues()
    for value in vars(c).values():
        if isinstance(value, (tuple, frozenset)):
            assert all(isinstance(v, str) for v in value)


def test_tweet_signature_is_not_a_footer() -> None:
    """An embedded tweet's signature line with a handle is not taken for an outlet line."""
    blocks = [*BODY, "— Valley Post (@valleypost) November 4, 2019"]
    kept, _ = clean_blocks(blocks)
    assert kept == blocks
