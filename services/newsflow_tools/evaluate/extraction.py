"""Score main-text extraction on the shared dev sets: plain trafilatura against newsflow.

Metric (shared/eval/README.md): 4-gram shingles over `\\w+` tokens, precision and
recall per document over shingle multisets, each averaged over documents, F1 the
harmonic mean of the two averages. Empty output scores 0/0 unless the expected text
is empty too. Speed is measured in this one process, both extractors on the same
pages in the same run and interleaved page by page, so the ratio is fair on a noisy
machine (docs/performance.md: figures vary by ±25% between runs).

The WCXB pages are split by a hash of their id (`part`) into a tune part, the only
one looked at while choosing rules and thresholds, and a frozen part reported here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEV_SET = Path("eval") / "extraction-aeb-dev.jsonl"
WCXB_SET = Path("eval") / "extraction-wcxb-dev.jsonl.gz"
WCXB_NOTE = (
    "WCXB development split (Murrough-Foley/web-content-extraction-benchmark @c039d5e), "
    "CC BY 4.0, attribution: WCXB, Murrough Foley 2026"
)
TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of `size`-token shingles; a text shorter than `size` tokens is one shingle."""
    tokens = TOKEN.findall(text)
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def precision_recall(output: str, expected: str) -> tuple[float, float]:
    """Shingle precision and recall of one document, per the shared scoring convention."""
    got, want = shingles(output), shingles(expected)
    if not got or not want:
        return (1.0, 1.0) if not got and not want else (0.0, 0.0)
    common = sum((got & want).values())
    return common / sum(got.values()), common / sum(want.values())


@dataclass(frozen=True)
class Score:
    name: str
    precision: float
    recall: float
    docs_per_s: float
    # pages where this extractor keeps under half of the reference text and the first
    # extractor of the run (plain trafilatura) keeps half or more
    lost: int = 0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(path: Path) -> list[dict[str, str]]:
    """Records of a JSON-lines file, gzip-compressed when its name ends in .gz."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def part(record_id: str) -> str:
    """'tune' or 'frozen' by the parity of the SHA-256 of the record id: stable, no list
    of pages in the repository, about half each (413 tune, 373 frozen of 786)."""
    return "tune" if int(hashlib.sha256(record_id.encode()).hexdigest(), 16) % 2 == 0 else "frozen"


def run(
    extractors: dict[str, Callable[[str, str], str]],
    records: list[dict[str, str]],
    clock: Callable[[], float] = time.perf_counter,
) -> list[Score]:
    """Score each extractor on every record; timings interleave the extractors page by
    page, alternating which goes first, so machine noise hits them alike. With
    `clock=time.process_time` they count this process's CPU time only, which other
    work on a shared machine does not inflate."""
    names = list(extractors)
    ps: dict[str, list[float]] = {n: [] for n in names}
    rs: dict[str, list[float]] = {n: [] for n in names}
    elapsed = dict.fromkeys(names, 0.0)
    for i, rec in enumerate(records):
        for name in names if i % 2 == 0 else names[::-1]:
            start = clock()
            out = extractors[name](rec["html"], rec["url"])
            elapsed[name] += clock() - start
            p, r = precision_recall(out, rec["expected_text"])
            ps[name].append(p)
            rs[name].append(r)
    n = len(records)
    base = rs[names[0]]
    return [
        Score(
            name,
            sum(ps[name]) / n,
            sum(rs[name]) / n,
            n / elapsed[name] if elapsed[name] else 0.0,
            sum(r < 0.5 <= b for r, b in zip(rs[name], base, strict=True)),
        )
        for name in names
    ]


def plain(html: str, url: str) -> str:
    """The call newsflow wraps, with trafilatura's defaults apart from comments."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


class Newsflow:
    """newsflow's extractor as a scoring callable; counts paths and removals on the way.
    An ExtractError counts as empty output."""

    def __init__(self, classifier: bool = False) -> None:
        from newsflow.extract.classify import shipped

        self.paths: Counter[str] = Counter()
        self.removed: Counter[str] = Counter()
        self.model = shipped() if classifier else None

    def __call__(self, html: str, url: str) -> str:
        from newsflow.errors import ExtractError
        from newsflow.extract.document import extract_html

        try:
            got = extract_html(html, url, classifier=self.model)
        except ExtractError as exc:
            self.paths[f"error:{exc.reason}"] += 1
            return ""
        self.paths[got.path] += 1
        self.removed.update(got.removed)
        return got.text


def table(scores: list[Score]) -> str:
    """A printable table; the last column is each extractor's speed relative to the first."""
    lines = [
        f"{'extractor':<12} {'F1':>6} {'P':>6} {'R':>6} {'docs/s':>7} {'speed':>6} {'lost':>5}"
    ]
    base = scores[0].docs_per_s or 1.0
    for s in scores:
        lines.append(
            f"{s.name:<12} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} "
            f"{s.docs_per_s:7.1f} {s.docs_per_s / base:5.2f}x {s.lost:5d}"
        )
    return "\n".join(lines)


def counts(counter: Counter[str]) -> str:
    """'a 3, b 1', most common first, or 'none'."""
    return ", ".join(f"{k} {v}" for k, v in counter.most_common()) or "none"


SET_NAMES = ("aeb-dev", "wcxb-frozen", "wcxb-tune")


def sets(shared: Path) -> list[tuple[str, list[dict[str, str]]]]:
    """The dev sets present under `shared`, WCXB split into its parts."""
    out: list[tuple[str, list[dict[str, str]]]] = []
    if (shared / DEV_SET).is_file():
        out.append(("aeb-dev", load(shared / DEV_SET)))
    if (shared / WCXB_SET).is_file():
        wcxb = load(shared / WCXB_SET)
        for name in ("frozen", "tune"):
            out.append((f"wcxb-{name}", [r for r in wcxb if part(r["id"]) == name]))
    return out


def report(
    shared: Path,
    classifier: bool = False,
    only: tuple[str, ...] = (),
    cpu_time: bool = False,
) -> str:
    """Score plain trafilatura and newsflow per dev set and part; a message if none is there.
    `classifier` adds newsflow with the block classifier (not the default) as a third row;
    `only` names the sets to score (SET_NAMES, all when empty); `cpu_time` times by CPU."""
    found = [(name, recs) for name, recs in sets(shared) if not only or name in only]
    if not found:
        return (
            f"extraction: no dev set at {shared / DEV_SET} or {shared / WCXB_SET}; nothing to score"
        )
    ours = Newsflow()
    # a warm-up pass so neither side pays for imports and trafilatura's lazy setup
    for rec in found[0][1][:3]:
        plain(rec["html"], rec["url"])
        ours(rec["html"], rec["url"])
    out = []
    extractors: dict[str, Callable[[str, str], str]] = {"trafilatura": plain, "newsflow": ours}
    if classifier:
        extractors["classifier"] = Newsflow(classifier=True)
    for name, records in found:
        ours.paths.clear()
        ours.removed.clear()
        scores = run(extractors, records, time.process_time if cpu_time else time.perf_counter)
        out.append(
            f"extraction: {name} ({len(records)} pages)\n{table(scores)}\n"
            f"newsflow paths: {counts(ours.paths)}\nnewsflow removed: {counts(ours.removed)}"
        )
    if any(name.startswith("wcxb") for name, _ in found):
        out.append(f"wcxb: {WCXB_NOTE}")
    out.append(
        "lost: pages where an extractor keeps under half the reference text and plain trafilatura half or more"
    )
    return "\n\n".join(out)
