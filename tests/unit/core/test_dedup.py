"""SimHash fingerprints: syndicated copies match, different stories do not."""

from newsflow import dedup
from newsflow_tools.bench.corpus import make_articles


def test_near_copy_within_distance_and_other_story_far():
    """A copy with a changed byline stays within MAX_DISTANCE; another story is far away."""
    a, b = make_articles(2, seed=3)
    fa = dedup.simhash(a.text)
    copy = dedup.simhash(a.text + "\nReporting by Partner Daily; editing by the desk.")
    assert dedup.distance(fa, copy) <= dedup.MAX_DISTANCE
    assert dedup.distance(fa, dedup.simhash(b.text)) > 10


def test_bands_find_every_candidate_within_three_bits():
    """Two fingerprints three bits apart always share a band (the lookup's pigeonhole)."""
    fp = 0x0123456789ABCDEF
    for bits in [(0, 17, 33), (1, 2, 3), (15, 31, 47), (60, 61, 62)]:
        other = fp
        for b in bits:
            other ^= 1 << b
        assert any(x == y for x, y in zip(dedup.bands(fp), dedup.bands(other), strict=True))


def test_hex_round_trip():
    """Fingerprints survive the 16-hex-digit form used in messages."""
    fp = dedup.simhash("some text to hash for the round trip")
    assert dedup.from_hex(dedup.to_hex(fp)) == fp and len(dedup.to_hex(fp)) == 16
