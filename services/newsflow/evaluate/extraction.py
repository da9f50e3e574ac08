"""Score main-text extraction on the shared dev set: plain trafilatura against newsflow.

Metric (shared/eval/README.md): 4-gram shingles over `\\w+` tokens, precision and
recall per document over shingle multisets, each averaged over documents, F1 the
harmonic mean of the two averages. Empty output scores 0/0 unless the expected text
is empty too. Speed is measured in this one process, both extractors on the same
pages in the same run and interleaved page by page, so the ratio is fair on a noisy
machine (shared/docs/PERFORMANCE-NOTES.md: figures vary by ±25% between runs).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEV_SET = Path("eval") / "extraction-aeb-dev.jsonl"
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

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(path: Path) -> list[dict[str, str]]:
    """Records of a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run(
    extractors: dict[str, Callable[[str, str], str]], records: list[dict[str, str]]
) -> list[Score]:
    """Score each extractor on every record; timings interleave the extractors page by
    page, alternating which goes first, so machine noise hits them alike."""
    names = list(extractors)
    ps: dict[str, list[float]] = {n: [] for n in names}
    rs: dict[str, list[float]] = {n: [] for n in names}
    elapsed = dict.fromkeys(names, 0.0)
    for i, rec in enumerate(records):
        for name in names if i % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            out = extractors[name](rec["html"], rec["url"])
            elapsed[name] += time.perf_counter() - start
            p, r = precision_recall(out, rec["expected_text"])
            ps[name].append(p)
            rs[name].append(r)
    n = len(records)
    return [
        Score(
            name, sum(ps[name]) / n, sum(rs[name]) / n, n / elapsed[name] if elapsed[name] else 0.0
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

    def __init__(self) -> None:
        self.paths: Counter[str] = Counter()
        self.removed: Counter[str] = Counter()

    def __call__(self, html: str, url: str) -> str:
        from newsflow.errors import ExtractError
        from newsflow.extract.document import extract_html

        try:
            got = extract_html(html, url)
        except ExtractError as exc:
            self.paths[f"error:{exc.reason}"] += 1
            return ""
        self.paths[got.path] += 1
        self.removed.update(got.removed)
        return got.text


def table(scores: list[Score]) -> str:
    """A printable table; the last column is each extractor's speed relative to the first."""
    lines = [f"{'extractor':<12} {'F1':>6} {'P':>6} {'R':>6} {'docs/s':>7} {'speed':>6}"]
    base = scores[0].docs_per_s or 1.0
    for s in scores:
        lines.append(
            f"{s.name:<12} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} "
            f"{s.docs_per_s:7.1f} {s.docs_per_s / base:5.2f}x"
        )
    return "\n".join(lines)


def counts(counter: Counter[str]) -> str:
    """'a 3, b 1', most common first, or 'none'."""
    return ", ".join(f"{k} {v}" for k, v in counter.most_common()) or "none"


def report(shared: Path) -> str:
    """Score plain trafilatura and newsflow on the dev set; a message if the set is missing."""
    path = shared / DEV_SET
    if not path.is_file():
        return f"extraction: no dev set at {path}; nothing to score"
    records = load(path)
    ours = Newsflow()
    # a warm-up pass so neither side pays for imports and trafilatura's lazy setup
    for rec in records[:3]:
        plain(rec["html"], rec["url"])
        ours(rec["html"], rec["url"])
    ours.paths.clear()
    ours.removed.clear()
    scores = run({"trafilatura": plain, "newsflow": ours}, records)
    return (
        f"extraction ({len(records)} pages, {path.name})\n{table(scores)}\n"
        f"newsflow paths: {counts(ours.paths)}\nnewsflow removed: {counts(ours.removed)}"
    )
