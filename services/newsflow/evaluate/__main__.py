"""`make eval`: score extraction and event coding on the shared dev sets when they exist."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m newsflow.evaluate")
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--only", choices=["extraction", "events"], default=None)
    args = parser.parse_args()
    if not args.shared.is_dir():
        print(f"no evaluation data at {args.shared}; nothing to score")
        return 0
    from newsflow.evaluate import events, extraction

    if args.only in (None, "extraction"):
        print(extraction.report(args.shared))
    if args.only in (None, "events"):
        print(events.report(args.shared))
    return 0


if __name__ == "__main__":
    sys.exit(main())
