"""Throughput of the event coder alone, on one core: `python -m newsflow_tools.bench.coder_speed FILE...`.

`measure` is what benchmarks and `make eval` call. The figure is normalised to ~600-word
articles (articles/s x mean words / 600) so corpora of other lengths compare.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from newsflow.events.coder import EventCoder

REFERENCE_WORDS = 600


def measure(coder: EventCoder, texts: Sequence[str], *, rounds: int = 1) -> dict[str, float]:
    """Code every text `rounds` times; return articles/s, words/s and the 600-word figure."""
    published = datetime(2025, 1, 1, tzinfo=UTC)
    coder.code(texts[0], article_id="warm-up", published_at=published)
    words = sum(len(t.split()) for t in texts) * rounds
    start = time.process_time()  # CPU time of this process: one core, whatever else runs
    events = 0
    for r in range(rounds):
        for i, text in enumerate(texts):
            events += len(coder.code(text, article_id=f"bench-{r}-{i}", published_at=published))
    cpu = max(time.process_time() - start, 1e-9)
    n = len(texts) * rounds
    return {
        "articles": n,
        "events": events,
        "cpu_seconds": cpu,
        "articles_per_s": n / cpu,
        "words_per_s": words / cpu,
        "articles_per_s_600w": words / cpu / REFERENCE_WORDS,
    }


def main(argv: list[str]) -> int:
    texts = [Path(p).read_text(encoding="utf-8") for p in argv]
    if not texts:
        print("usage: python -m newsflow_tools.bench.coder_speed ARTICLE.txt ...", file=sys.stderr)
        return 2
    result = measure(EventCoder(), texts, rounds=max(1, 40 // len(texts)))
    print(
        " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items())
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main(sys.argv[1:]))
