"""Streaming caps and incremental decompression."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from newsflow.errors import Reason
from newsflow.fetch.limits import (
    BodyTooLarge,
    CorruptEncoding,
    DecompressionBomb,
    Inflater,
    read_capped,
)

DATA = b"<p>" + b"news " * 20000 + b"</p>"


async def chunks(data: bytes, size: int = 4096):
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
        (None, lambda d: d),
        ("identity", lambda d: d),
    ],
)
async def test_codings_round_trip(coding, encode):
    """Every supported Content-Encoding decodes back to the original bytes, chunk by chunk."""
    out = await read_capped(
        chunks(encode(DATA)), content_encoding=coding, max_wire_bytes=10**7, max_decoded_bytes=10**7
    )
    assert out == DATA


async def test_wire_cap():
    """A body over max_wire_bytes stops with TOO_LARGE."""
    with pytest.raises(BodyTooLarge) as err:
        await read_capped(
            chunks(DATA), content_encoding=None, max_wire_bytes=1000, max_decoded_bytes=10**7
        )
    assert err.value.reason is Reason.TOO_LARGE


@pytest.mark.parametrize(("coding", "encode"), [("gzip", gzip.compress), ("br", brotli.compress)])
def test_bomb_is_stopped_early(coding, encode):
    """A highly compressed body raises DECOMPRESSION_BOMB after about the cap, not after inflating it all."""
    bomb = encode(b"\0" * (20 * 1024 * 1024))
    inflater = Inflater(coding, max_bytes=1024 * 1024)
    with pytest.raises(DecompressionBomb):
        inflater.feed(bomb)
    assert inflater.total < 2 * 1024 * 1024  # overshoot is at most one inflate step


def test_corrupt_and_unknown_codings():
    """A broken gzip stream and an unsupported coding are DECODE_ERROR."""
    with pytest.raises(CorruptEncoding) as err:
        Inflater("gzip", 10**6).feed(b"\x1f\x8bnot really gzip at all")
    assert err.value.reason is Reason.DECODE_ERROR
    with pytest.raises(CorruptEncoding):
        Inflater("compress", 10**6)


async def test_stacked_codings():
    """'gzip, br' is undone in reverse order of application (RFC 9110 §8.4)."""
    body = brotli.compress(gzip.compress(DATA))
    out = await read_capped(
        chunks(body), content_encoding="gzip, br", max_wire_bytes=10**7, max_decoded_bytes=10**7
    )
    assert out == DATA
