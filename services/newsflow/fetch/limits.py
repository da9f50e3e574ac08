"""Body caps: wire bytes while streaming, and decompressed bytes while inflating.

aiohttp's own decompression is switched off so that a gzip or brotli bomb is
caught after at most `max_decompressed_bytes` of output, not after the whole
bomb has been inflated into memory (a 10 MB gzip of zeros expands to 10 GB).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import brotli

from newsflow.errors import FetchError, Reason

_CHUNK_OUT = 256 * 1024  # inflate at most this much per step so the cap is checked often


class BodyTooLarge(FetchError):
    default_reason = Reason.TOO_LARGE


class DecompressionBomb(FetchError):
    default_reason = Reason.DECOMPRESSION_BOMB


class CorruptEncoding(FetchError):
    default_reason = Reason.DECODE_ERROR


class _Zlib:
    """gzip or deflate; deflate is tried as zlib-wrapped first, then raw (RFC 9110 §8.4.1.2)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        if not self._started and not self._gzip:
            self._started = True
            try:
                return self._inflate(data, limit)
            except zlib.error:
                # Some servers send raw deflate without the zlib header.
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inflate(data, limit)

    def _inflate(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        while data:
            out += self._obj.decompress(data, _CHUNK_OUT)
            if len(out) > limit:
                break
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                break
        return bytes(out)


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> bytes:
        out = bytearray(self._obj.process(data, output_buffer_limit=_CHUNK_OUT))
        while not self._obj.can_accept_more_data() and len(out) <= limit:
            out += self._obj.process(b"", output_buffer_limit=_CHUNK_OUT)
        return bytes(out)


def _decoder(coding: str) -> _Zlib | _Brotli | None:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(gzip=True)
    if coding == "deflate":
        return _Zlib(gzip=False)
    if coding == "br":
        return _Brotli()
    return None


class Inflater:
    """Incremental decoder for a Content-Encoding header, enforcing a decompressed cap.

    Raises CorruptEncoding for an unknown coding or a broken stream, and
    DecompressionBomb as soon as the output passes `max_bytes`.
    """

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._decoders = []
        for coding in reversed(codings):  # applied in order listed, so undo in reverse
            dec = _decoder(coding)
            if dec is None:
                raise CorruptEncoding(f"unsupported content-encoding {coding!r}")
            self._decoders.append(dec)
        self._max = max_bytes
        self.total = 0

    def feed(self, data: bytes) -> bytes:
        """Decoded bytes for the next wire chunk."""
        try:
            for dec in self._decoders:
                data = dec.feed(data, self._max - self.total)
        except (zlib.error, brotli.error) as exc:
            raise CorruptEncoding(f"corrupt compressed body: {exc}") from exc
        self.total += len(data)
        if self.total > self._max:
            raise DecompressionBomb(f"decompressed body exceeds {self._max} bytes")
        return data


async def read_capped(
    chunks: AsyncIterator[bytes],
    *,
    content_encoding: str | None,
    max_wire_bytes: int,
    max_decoded_bytes: int,
) -> bytes:
    """Read a body stream, decompressing as it arrives; stop at the first cap passed."""
    inflater = Inflater(content_encoding, max_decoded_bytes)
    wire = 0
    out = bytearray()
    async for chunk in chunks:
        wire += len(chunk)
        if wire > max_wire_bytes:
            raise BodyTooLarge(f"body exceeds {max_wire_bytes} bytes on the wire")
        out += inflater.feed(chunk)
    return bytes(out)
