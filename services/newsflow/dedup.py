"""Content fingerprints: a 64-bit SimHash of the cleaned text, and near-duplicate tests.

Syndicated copies differ in a few words (bylines, links, trailing lines), so an
exact hash misses them; SimHash keeps near-identical texts within a few bits.
"""

from __future__ import annotations

import hashlib
import re

_TOKEN = re.compile(r"\w+")
BANDS = 4
BAND_BITS = 16
# Texts within 3 differing bits are the same article. With 4 bands of 16 bits,
# two fingerprints that differ in at most 3 bits agree on at least one band
# (pigeonhole), so an exact band lookup finds every candidate.
MAX_DISTANCE = 3


def simhash(text: str) -> int:
    """64-bit SimHash over word 3-shingles of the lower-cased text."""
    tokens = _TOKEN.findall(text.lower())
    grams = [" ".join(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))]
    weights = [0] * 64
    for gram in grams:
        h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit, w in enumerate(weights):
        if w > 0:
            value |= 1 << bit
    return value


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def bands(fp: int) -> list[int]:
    """The four 16-bit bands used as lookup keys."""
    mask = (1 << BAND_BITS) - 1
    return [(fp >> (i * BAND_BITS)) & mask for i in range(BANDS)]


def to_hex(fp: int) -> str:
    return f"{fp:016x}"


def from_hex(value: str) -> int:
    return int(value, 16)
