"""The peer: newspaper4k's article extraction over the same pages, in a plain loop.

newspaper4k is not a dependency of newsflow: it lives in its own venv (.venv-bench,
from requirements-bench.lock). `run_peer` writes the pages to a JSONL file and runs
this file as a script with that venv's Python; the script imports nothing of newsflow.
Each page goes through `Article.download(input_html=...)` and `parse()`: its
extraction of text, title, authors and date. Its optional NLP step (keywords and
summary, which needs nltk) is off; newspaper4k codes no events.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _loop(pages_path: str) -> dict:
    """Runs inside the peer venv: extract every page once, after one warm-up page."""
    import warnings

    warnings.filterwarnings("ignore")  # "nltk is not installed": we do not use its NLP step
    import newspaper
    from newspaper import Article

    lines = Path(pages_path).read_text(encoding="utf-8").splitlines()
    pages = [json.loads(line) for line in lines if line.strip()]

    def extract(page: dict) -> str:
        article = Article(page["url"], fetch_images=False)
        article.download(input_html=page["html"])
        article.parse()
        return article.text

    if pages:
        extract(pages[0])
    cpu0, wall0 = time.process_time(), time.perf_counter()
    words = empty = 0
    for page in pages:
        try:
            text = extract(page)
        except Exception:  # a peer failure costs its time, like ours
            text = ""
        words += len(text.split())
        empty += not text.strip()
    wall = max(time.perf_counter() - wall0, 1e-9)
    cpu = max(time.process_time() - cpu0, 1e-9)
    return {
        "tool": "newspaper4k",
        "version": getattr(newspaper, "__version__", "?"),
        "documents": len(pages),
        "empty": empty,
        "words_mean": words / max(1, len(pages)),
        "seconds": wall,
        "per_core": len(pages) / wall,
        "per_core_cpu": len(pages) / cpu,
    }


def run_peer(
    pages: list[tuple[str, str]], python: Path, work: Path, *, timeout: float = 600
) -> dict:
    """(url, html) pages through the peer in `python` (the .venv-bench interpreter).
    Returns its figures, or {"skipped": why} when that venv is missing or the loop fails."""
    if not python.exists():
        return {
            "skipped": f"{python} not found; `make bench` creates it from requirements-bench.lock"
        }
    work.mkdir(parents=True, exist_ok=True)
    path = work / "peer-pages.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for url, html in pages:
            fh.write(json.dumps({"url": url, "html": html}) + "\n")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    try:
        # -I: the script's folder (this package) stays off the peer's sys.path
        done = subprocess.run(
            [str(python), "-I", __file__, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"skipped": f"peer loop took longer than {timeout:.0f}s"}
    if done.returncode != 0:
        return {"skipped": f"peer loop failed: {done.stderr.strip().splitlines()[-1:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(_loop(sys.argv[1])))
