"""`newsflow extract`: one document or a JSONL batch in, article and events out as JSON."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from newsflow_tools.bench.server import CorpusServer, Route
from tests.e2e import cli

pytestmark = pytest.mark.timeout(180)

PARAGRAPHS = [
    "Police in Nairobi arrested 43 protesters on Tuesday after demonstrators marched on "
    "parliament to oppose a proposed increase in fuel taxes, the national police service said.",
    "Officers fired tear gas to disperse crowds gathered near the central business district, "
    "and several shops closed early as the protest spread to neighbouring streets.",
    "Opposition leaders condemned the arrests and called for the immediate release of those "
    "detained, saying the right to protest is protected by the constitution.",
    "The finance ministry said the tax measures were needed to reduce the budget deficit and "
    "that talks with business groups and trade unions would continue next week.",
]
TITLE = "Police arrest dozens as Nairobi fuel tax protest turns tense"

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{TITLE} | Test Daily</title>
<meta property="article:published_time" content="2025-06-03T09:30:00Z">
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/africa">Africa</a> <a href="/subscribe">Subscribe</a></nav></header>
<main>
<article>
<h1>{TITLE}</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article>
<p class="editor">Edited By Test Desk</p>
</main>
<div id="cookie-law-info-bar" class="cli-bar-container">
  <span>This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.</span>
  <a role="button" class="cli_action_button">Accept</a> <a href="/privacy">Read More</a>
</div>
<footer>© 2025 Test Daily. All rights reserved. Contact us | Privacy policy | Terms of use</footer>
</body>
</html>
"""

TEXT = TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"

FURNITURE = (
    "cookies",
    "opt-out",
    "edited by",
    "all rights reserved",
    "privacy policy",
    "subscribe",
)


def extract(*args: str, input: str | bytes | None = None) -> tuple[int, dict, str]:
    res = cli.run("extract", *args, input=input)
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    try:
        return res.returncode, json.loads(res.stdout), res.stderr
    except ValueError:
        raise AssertionError(
            f"not JSON (rc={res.returncode}): {res.stdout[:500]!r}\n{res.stderr[-2000:]}"
        ) from None


def assert_clean_article(article: dict) -> None:
    assert article["title"] == TITLE
    assert article["text"].startswith(PARAGRAPHS[0][:60])
    assert PARAGRAPHS[-1][:60] in article["text"]
    lowered = article["text"].lower()
    assert not [f for f in FURNITURE if f in lowered], article["text"]
    assert article["word_count"] == len(article["text"].split())
    assert 100 < article["word_count"] < 200
    assert len(article["article_id"]) == 32 and len(article["fingerprint"]) == 16


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("extract") / "nairobi.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_html_page_gives_clean_article_and_events(page):
    """An HTML file comes out as a clean article (no cookie banner, editor line or footer) with coded events."""
    rc, out, _ = extract(str(page))
    assert rc == 0
    assert set(out) >= {"article", "events"}
    article = out["article"]
    assert_clean_article(article)
    assert article["extraction"]["path"] == "precision"
    assert article["url"] == page.resolve().as_uri()
    assert article["published_at"] == "2025-06-03T09:30:00Z"
    assert article["source"]["id"] == "cli"
    assert isinstance(out["events"], list) and out["events"], "an arrest story must yield events"
    for event in out["events"]:
        assert event["article_id"] == article["article_id"]
        assert event["evidence"]["sentence"] in article["text"].replace("\n", " ")


def test_url_and_published_options_change_identity_and_date(page):
    """--url sets url, canonical_url and so article_id; --published overrides the page's own date."""
    _, plain, _ = extract(str(page), "--no-events")
    rc, out, _ = extract(
        str(page),
        "--no-events",
        "--url",
        "https://news.test/africa/nairobi-protest",
        "--published",
        "2025-06-04T12:00:00+00:00",
    )
    assert rc == 0
    article = out["article"]
    assert article["url"] == "https://news.test/africa/nairobi-protest"
    assert article["canonical_url"] == "https://news.test/africa/nairobi-protest"
    assert article["source"]["domain"] == "news.test"
    assert article["article_id"] != plain["article"]["article_id"]
    assert article["fingerprint"] == plain["article"]["fingerprint"]  # same text, same fingerprint
    assert article["published_at"].startswith("2025-06-04T12:00:00")
    assert out["events"] == []


def test_text_file_and_stdin(tmp_path, page):
    """A .txt file uses its first line as the title; `-` reads HTML from stdin."""
    txt = tmp_path / "nairobi.txt"
    txt.write_text(TEXT, encoding="utf-8")
    rc, out, _ = extract(str(txt), "--no-events")
    assert rc == 0
    assert_clean_article(out["article"])
    assert out["article"]["extraction"]["path"] == "text"
    assert out["events"] == []

    rc, piped, _ = extract("-", "--url", "https://news.test/a/1", input=page.read_text())
    assert rc == 0
    assert_clean_article(piped["article"])
    assert piped["article"]["canonical_url"] == "https://news.test/a/1"
    assert piped["article"]["extraction"]["path"] == "precision"
    assert piped["events"], "stdin goes through the same coder as a file"


def test_documents_without_url_get_distinct_stable_ids():
    """Without --url the article id comes from the content: two texts differ, the same text repeats."""
    other = TEXT.replace("43 protesters", "12 protesters")
    ids = [
        extract("-", "--no-events", input=body)[1]["article"]["article_id"]
        for body in (TEXT, other, TEXT)
    ]
    assert ids[0] != ids[1] and ids[0] == ids[2]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n\n  \n", id="blank"),
        pytest.param(
            "<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav>"
            "<div id='cookie-banner'>We use cookies. Accept</div></body></html>",
            id="furniture-only",
        ),
        pytest.param(bytes(range(256)) * 16, id="binary"),
        pytest.param(random.Random(5).randbytes(4000).replace(b"\x00", b"\x01"), id="random-bytes"),
    ],
)
def test_empty_or_garbage_document_is_a_json_error(tmp_path, body):
    """A document with no article in it exits 1 with {"error", "reason"} on stdout and no traceback."""
    path = tmp_path / "doc.html"
    path.write_bytes(body if isinstance(body, bytes) else body.encode())
    for args, stdin in (([str(path)], None), (["-"], path.read_bytes())):
        rc, out, _ = extract(*args, "--no-events", input=stdin)
        assert rc == 1, out
        assert set(out) == {"error", "reason"}, out
        assert out["reason"] in {"empty_extraction", "decode_error", "parse_error"}, out


async def test_binary_junk_served_as_html_is_refused(tmp_path):
    """Random bytes served as text/html (decoded as windows-1252) are refused, not an article."""
    junk = random.Random(9).randbytes(20000)
    server = await CorpusServer({"/junk.html": Route(junk, "text/html")}).start()
    try:
        env = cli.cli_env(NEWSFLOW_FETCH_BLOCK_PRIVATE_ADDRESSES="false")
        res = await cli.arun("extract", server.url("/junk.html"), "--no-events", env=env)
    finally:
        await server.stop()
    assert res.returncode == 1, res.stdout[:500]
    assert json.loads(res.stdout)["reason"] == "decode_error"


def test_repeated_sentences_merge_and_the_sentence_cap_is_reported(tmp_path):
    """450 paragraphs repeating one strike give one event, and the 50 candidate sentences
    past the coder's cap of 400 are reported, not dropped silently."""
    s = "Russian forces shelled the city of Kharkiv on Monday, killing three civilians."
    paras = "".join(
        f"<p>{s} Report {i} was filed by the desk at {i % 24}:00.</p>" for i in range(450)
    )
    page = tmp_path / "rep.html"
    page.write_text(f"<html><body><article><h1>Kharkiv</h1>{paras}</article></body></html>")
    rc, out, _ = extract(str(page), "--url", "https://news.test/rep", "--published", "2025-02-12")
    assert rc == 0
    assert [e["event_type"] for e in out["events"]] == ["ASSAULT"]
    assert out["coding_truncated"]["uncoded_sentences"] == 50


def test_missing_file_is_a_json_error(tmp_path):
    """A path that does not exist is reported as a JSON error, exit 1, no traceback."""
    rc, out, _ = extract(str(tmp_path / "nope.html"))
    assert rc == 1
    assert out["reason"] == "invalid_input" and "nope.html" in out["error"]


def test_batch_keeps_input_order_and_reports_bad_lines(tmp_path, page):
    """--batch: one output line per input line, in order, carrying `id`; bad lines give
    {"id", "error", "reason"}; exit 0."""
    html = page.read_text()
    lines = [
        json.dumps({"id": "a", "html": html, "url": "https://news.test/a"}),
        json.dumps({"id": "b", "text": TEXT, "published": "2025-06-05T08:00:00Z"}),
        "{not json",
        json.dumps({"id": "d", "url": "https://news.test/d"}),
        json.dumps({"id": "e", "html": html, "url": "https://news.test/e"}),
        "",
        json.dumps({"id": 6, "text": TEXT}),
        "",
        "[1, 2]",
        json.dumps({"text": TEXT, "published": "yesterday"}),
        json.dumps({"id": "junk", "html": bytes(range(1, 256)).decode("latin-1") * 40}),
    ]
    batch = tmp_path / "docs.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = cli.run("extract", "--batch", str(batch), "--no-events", timeout=150)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Traceback" not in res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    # Lines without an id are named by their line number in the file; blank lines too.
    assert [o["id"] for o in out] == ["a", "b", 3, "d", "e", 6, 6, 8, 9, 10, "junk"]

    good = {o["id"]: o for o in out if "article" in o}
    assert set(good) == {"a", "b", "e", 6}
    for o in good.values():
        assert_clean_article(o["article"])
        assert o["events"] == []
    assert good["a"]["article"]["canonical_url"] == "https://news.test/a"
    assert good["a"]["article"]["extraction"]["path"] == "precision"
    assert good["b"]["article"]["extraction"]["path"] == "text"
    assert good["b"]["article"]["published_at"].startswith("2025-06-05T08:00:00")
    assert good["a"]["article"]["article_id"] != good["e"]["article"]["article_id"]

    bad = {o["id"]: o for o in out if "error" in o}
    assert set(bad) == {3, "d", 6, 8, 9, 10, "junk"}
    assert "blank line" in bad[8]["error"]
    assert bad.pop("junk")["reason"] == "decode_error"
    for o in bad.values():
        assert "article" not in o and o["error"] and o["reason"] == "invalid_input"
    assert "html" in bad["d"]["error"]
    assert "JSON object" in bad[9]["error"]
    assert "yesterday" in bad[10]["error"]
