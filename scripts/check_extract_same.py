"""Check that extract_html gives the same output as a git ref on the tune + AEB pages.

  python scripts/check_extract_same.py               # against main
  python scripts/check_extract_same.py --base HEAD~3

The base's services/ tree is exported with `git archive` into a temporary directory and
run in a subprocess (PYTHONPATH first); the working tree runs in another. Each writes every
page's result (text, path, reason, removals, metadata, or the error reason) as JSON lines;
the texts are compared byte for byte, then the whole results. Only the WCXB tune part and
the AEB dev pages are read: the frozen part is never looked at while working.
Also prints each side's CPU milliseconds a page (process_time, one run, not interleaved).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pages(shared: Path) -> list[dict[str, str]]:
    from newsflow_tools.evaluate.extraction import DEV_SET, WCXB_SET, load, part

    tune = [r for r in load(shared / WCXB_SET) if part(r["id"]) == "tune"]
    return tune + load(shared / DEV_SET)


def dump(shared: Path, out: Path) -> None:
    """Extract every page with the newsflow on sys.path and write one JSON line each."""
    from newsflow.errors import ExtractError
    from newsflow.extract.document import extract_html

    records = pages(shared)
    cpu = 0.0
    with out.open("w", encoding="utf-8") as fh:
        for rec in records:
            start = time.process_time()
            try:
                got = extract_html(rec["html"], rec["url"])
                row = {
                    "text": got.text,
                    "path": got.path,
                    "reason": got.reason,
                    "removed": got.removed,
                    "title": got.title,
                    "authors": got.authors,
                    "published_at": str(got.published_at),
                    "language": got.language,
                    "canonical_url": got.canonical_url,
                }
            except ExtractError as exc:
                row = {"error": str(exc.reason)}
            cpu += time.process_time() - start
            fh.write(json.dumps({"id": rec["id"], **row}, sort_keys=True) + "\n")
    print(f"{len(records)} pages, {1000 * cpu / len(records):.2f} CPU ms a page", file=sys.stderr)


def run_dump(services: Path, shared: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(services)}
    cmd = [sys.executable, __file__, "--shared", str(shared), "--dump", str(out)]
    subprocess.run(cmd, env=env, check=True)


def export(ref: str, into: Path) -> Path:
    """The ref's services/ directory, unpacked under `into`."""
    archive = into / "base.tar"
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "services"], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "services"


def read(path: Path) -> dict[str, dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return {row["id"]: row for row in map(json.loads, fh)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="main", help="git ref to compare against")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(args.shared, args.dump)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        print(f"base {args.base}:", file=sys.stderr)
        run_dump(export(args.base, where), args.shared, where / "base.jsonl")
        print("working tree:", file=sys.stderr)
        run_dump(ROOT / "services", args.shared, where / "new.jsonl")
        base, new = read(where / "base.jsonl"), read(where / "new.jsonl")
    assert base.keys() == new.keys()
    same_text = [k for k in base if base[k].get("text") == new[k].get("text")]
    same_all = [k for k in base if base[k] == new[k]]
    print(f"text identical: {len(same_text)} of {len(base)} pages")
    print(f"whole result identical: {len(same_all)} of {len(base)} pages")
    for k in base:
        if base[k] != new[k]:
            diff = sorted(
                f for f in base[k].keys() | new[k].keys() if base[k].get(f) != new[k].get(f)
            )
            print(f"  differs: {k} ({', '.join(diff)})")
    return 0 if len(same_all) == len(base) else 1


if __name__ == "__main__":
    sys.exit(main())
