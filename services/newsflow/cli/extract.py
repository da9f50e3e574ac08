"""`newsflow extract`: one document (or a JSONL batch) in, article and events out as JSON."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from newsflow import assembly
from newsflow.cli import with_settings
from newsflow.config import Settings
from newsflow.errors import ExtractError, NewsflowError, Reason
from newsflow.models import DeadLetter, utcnow
from newsflow.pipeline import plan
from newsflow.processing import DocumentRequest, DocumentResult, process_document


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _request(
    body: str, url: str | None, published: datetime | None, min_chars: int
) -> DocumentRequest:
    # Without a URL the article id must still tell documents apart (it is the Kafka key and
    # the dedup identity downstream): name the document by its content.
    doc_url = (
        url or "urn:sha256:" + hashlib.sha256(body.encode("utf-8", "replace")).hexdigest()[:32]
    )
    page = plan.given_page(body, doc_url, url or "", published, utcnow())
    request = plan.document_request(page, min_chars)
    if isinstance(request, DeadLetter):
        raise ExtractError(request.detail, reason=request.reason)
    return request


def _payload(result: DocumentResult) -> dict:
    out = {
        "article": result.article.model_dump(mode="json"),
        "events": [e.model_dump(mode="json") for e in result.events],
    }
    if result.coding_error:
        out["coding_error"] = result.coding_error
    if result.uncoded_sentences:
        from newsflow.events.coder import MAX_SENTENCES  # loaded already: it coded this

        out["coding_truncated"] = {
            "uncoded_sentences": result.uncoded_sentences,
            "detail": f"only the first {MAX_SENTENCES} candidate sentences are coded",
        }
    return out


@click.command()
@click.argument("source", required=False)
@click.option("--url", help="URL the document came from (for relative links and the article id).")
@click.option("--published", help="Publication time, ISO 8601; resolves relative dates.")
@click.option(
    "--batch",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSONL input: {"id", "html" or "text", "url"?, "published"?} per line.',
)
@click.option("--no-events", is_flag=True, help="Skip event coding.")
@with_settings
def extract(
    settings: Settings,
    source: str | None,
    url: str | None,
    published: str | None,
    batch: Path | None,
    no_events: bool,
) -> None:
    """Extract PATH, URL or - (stdin); HTML or plain text is detected automatically."""
    if batch:
        sys.exit(asyncio.run(_batch(settings, batch, events=not no_events)))
    if not source:
        raise click.UsageError("give PATH, URL or -, or --batch FILE")
    try:
        body, url = _read(settings, source, url)
        request = _request(body, url, _parse_time(published), settings.extract.min_text_chars)
        assembly.init_here(settings, events=not no_events)
        result = process_document(request)
    except (NewsflowError, ValueError, OSError) as exc:
        reason = getattr(exc, "reason", Reason.INVALID_INPUT)
        click.echo(json.dumps({"error": str(exc), "reason": str(reason)}))
        sys.exit(1)
    click.echo(json.dumps(_payload(result), ensure_ascii=False, indent=2))


def _read(settings: Settings, source: str, url: str | None) -> tuple[str, str | None]:
    if source == "-":
        return _decode(sys.stdin.buffer.read()), url
    if source.startswith(("http://", "https://")):
        return _text_only(asyncio.run(_fetch(settings, source))), url or source
    path = Path(source)
    return _decode(path.read_bytes()), url or path.resolve().as_uri()


def _decode(data: bytes) -> str:
    """The document as text; binary data (an image, a PDF, random bytes) is refused with
    DECODE_ERROR instead of being "extracted" into an article of mojibake."""
    text = data.decode("utf-8", errors="replace")
    # NUL never occurs in HTML or prose; 5% replacement characters is far beyond a
    # mislabelled cp1252 page (a few accented letters) and typical of binary files.
    if b"\x00" in data[:65536] or text.count("\ufffd") > len(text) / 20:
        raise ExtractError("binary data, not an HTML or text document", reason=Reason.DECODE_ERROR)
    return _text_only(text)


# Control characters other than tab, newline, carriage return and form feed, and C1 controls.
_CONTROL = {*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0), 0xFFFD}


def _text_only(text: str) -> str:
    """Refuse text that is binary data after decoding (a charset decoder that never fails,
    or a JSON string): in random bytes about 1 character in 8 is a control character,
    in real pages next to none, so 2% is a wide margin both ways."""
    sample = text[:65536]
    controls = sum(1 for c in sample if ord(c) in _CONTROL)
    if controls > len(sample) / 50:
        raise ExtractError("binary data, not an HTML or text document", reason=Reason.DECODE_ERROR)
    return text


async def _fetch(settings: Settings, url: str) -> str:
    from newsflow.errors import FetchError

    async with assembly.fetcher(settings) as fetcher:
        outcome = await fetcher.fetch(url)
    if not outcome.ok:
        raise FetchError(outcome.detail, reason=outcome.reason or Reason.HTTP_ERROR, url=url)
    return outcome.text()


async def _batch(settings: Settings, path: Path, *, events: bool) -> int:
    """Every core at work; output in input order; a bad line yields {"id", "error"}."""
    pool = assembly.worker_pool(settings, events=events)
    limit = asyncio.Semaphore(pool.workers * 4)

    async def one(line_no: int, line: str) -> dict:
        doc_id = None
        try:
            if not line.strip():  # one output line per input line, blank ones too
                raise ValueError("blank line: expected a JSON object")
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise ValueError("a line must be a JSON object")
            doc_id = doc.get("id", line_no)
            body = doc.get("html") or doc.get("text")
            if not isinstance(body, str) or not body.strip():
                raise ValueError('needs a non-empty "html" or "text"')
            _text_only(body)
            req = _request(
                body,
                doc.get("url"),
                _parse_time(doc.get("published")),
                settings.extract.min_text_chars,
            )
            async with limit:
                result = await pool.run(process_document, req, url=doc.get("url"))
            return {"id": doc_id, **_payload(result)}
        except (NewsflowError, ValueError, TypeError, AttributeError) as exc:
            return {
                "id": doc_id if doc_id is not None else line_no,
                "error": str(exc),
                "reason": str(getattr(exc, "reason", Reason.INVALID_INPUT)),
            }

    try:
        # A line without an id is named by its line number in the file.
        lines = list(enumerate(path.read_text(encoding="utf-8").splitlines(), 1))
        tasks = [asyncio.create_task(one(i, ln)) for i, ln in lines]
        for task in tasks:  # awaited in input order; they run concurrently
            print(json.dumps(await task, ensure_ascii=False), flush=True)
    finally:
        pool.close()
    return 0
