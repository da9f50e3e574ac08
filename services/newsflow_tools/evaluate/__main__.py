"""`make eval`: score extraction and event coding on the shared dev sets when they exist."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsflow_tools.evaluate import extraction, stories


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m newsflow_tools.evaluate")
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--only", choices=["extraction", "events", "stories"], default=None)
    parser.add_argument(
        "--classifier", action="store_true", help="also score the block classifier (off by default)"
    )
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=extraction.SET_NAMES,
        default=(),
        help="extraction: score only these sets (e.g. wcxb-tune aeb-dev while tuning)",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="extraction: time by this process's CPU time instead of wall time",
    )
    parser.add_argument(
        "--story-parts",
        nargs="+",
        choices=["tune", "frozen"],
        default=["tune", "frozen"],
        help="stories: score only these halves of the ECB+ topics (tune while tuning)",
    )
    args = parser.parse_args()
    from newsflow_tools.evaluate import events  # loads the coder: only once the arguments parse

    # No data is a failure, not a pass: an exit 0 here read as "evaluation passed".
    needed = args.shared / extraction.DEV_SET
    if not needed.is_file():
        print(
            f"make eval: no evaluation data at {needed.parent} (needs {needed.name});"
            " nothing scored. Put the shared data set next to the checkout or pass --shared.",
            file=sys.stderr,
        )
        return 1

    if args.only in (None, "extraction"):
        print(
            extraction.report(
                args.shared,
                classifier=args.classifier,
                only=tuple(args.sets),
                cpu_time=args.cpu_time,
            )
        )
    if args.only in (None, "events"):
        print(events.report(args.shared))
    if args.only in (None, "stories"):
        if (args.shared / stories.FILE).is_file():
            print(stories.report(args.shared, parts=tuple(args.story_parts)))
        else:
            print(f"stories: no {stories.FILE} under {args.shared}; not scored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
