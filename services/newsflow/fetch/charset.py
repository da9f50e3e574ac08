"""Turn a body into text when the server's charset label cannot be trusted.

Order, after the HTML Living Standard §13.2.3.2 "determining the character
encoding": byte order mark, then the Content-Type charset, then a
`<meta charset>` / XML declaration in the first bytes, then detection.
A declared label is only believed when the bytes agree with it: news sites
regularly serve windows-1252 labelled utf-8 and utf-8 labelled iso-8859-1.
Decoding never fails; the last resort replaces undecodable bytes.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# BOMs win over every label (WHATWG Encoding Standard §6 "decode").
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The WHATWG Encoding Standard maps these labels to windows-1252, which is what
# servers mean when they say latin-1 (0x80-0x9F are curly quotes, not controls).
_AS_WINDOWS_1252 = {"latin_1", "iso8859_1", "ascii", "cp1252"}
# Same standard, same reason: labels decoded as their common superset.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "iso8859_9": "cp1254",
    "tis_620": "cp874",
    "iso8859_11": "cp874",
}

_PRESCAN_BYTES = 4096  # the spec prescans 1024; CMS headers often push <meta> later
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


def charset_from_content_type(header: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, or None."""
    if not header:
        return None
    m = _CHARSET_PARAM.search(header)
    return m.group(1) if m else None


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None for an unknown label."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    if name in _AS_WINDOWS_1252:
        return "cp1252"
    name = _SUPERSETS.get(name, name)
    if name.startswith("utf_16") or name.startswith("utf_32"):
        # A label inside the bytes cannot be utf-16 if we could read it as ASCII.
        return "utf_8"
    return name


def declared_in_document(body: bytes) -> str | None:
    """The encoding named by an XML declaration or <meta charset>, or None."""
    head = body[:_PRESCAN_BYTES]
    m = _XML_DECL.match(head) or _META.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _believe(label: str | None, body: bytes) -> str | None:
    """The codec to use for a declared label, correcting the two common lies."""
    codec = normalize_label(label)
    if codec is None:
        return None
    if codec == "utf_8":
        # Declared utf-8 but not valid utf-8: almost always windows-1252 in the wild.
        # Detection alone picked windows-1250 for French and Portuguese ("crčme").
        if _is_utf8(body):
            return codec
        return "cp1252" if _fits_cp1252(body) else None
    if codec == "cp1252" and not body.isascii() and _is_utf8(body):
        # Declared latin-1 but the high bytes form valid utf-8 sequences; the odds of
        # that happening by chance in real windows-1252 text are negligible.
        return "utf_8"
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return codec


def _fits_cp1252(body: bytes) -> bool:
    """True when the bytes read as Western European windows-1252 text.

    Every byte must be defined in windows-1252, and accented letters must be the minority
    of letters, as in French, Portuguese, Spanish, German or Italian; Cyrillic or Greek
    in their single-byte codes is nearly all high bytes and goes to detection instead.
    """
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = sum(1 for c in text if c.isalpha())
    high = sum(1 for c in text if c.isalpha() and ord(c) > 0x7F)
    return letters > 0 and high <= 0.3 * letters


def detect(body: bytes) -> str:
    """The codec for bytes with no trustworthy label: utf-8 if valid, else detection."""
    if _is_utf8(body):
        return "utf_8"
    best = from_bytes(body[:65536]).best()
    if best is not None and best.encoding:
        return normalize_label(best.encoding) or "cp1252"
    return "cp1252"


def choose_encoding(body: bytes, content_type: str | None) -> tuple[str, int]:
    """The codec for `body` and how many leading bytes (a BOM) to skip."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    for label in (charset_from_content_type(content_type), declared_in_document(body)):
        believed = _believe(label, body)
        if believed:
            return believed, 0
    return detect(body), 0


def decode(body: bytes, content_type: str | None = None) -> str:
    """Decode `body` as text; `content_type` is the raw header value (it may carry a charset)."""
    if not body:
        return ""
    codec, skip = choose_encoding(body, content_type)
    return body[skip:].decode(codec, errors="replace")
