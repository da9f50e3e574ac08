"""Charset choice: BOM, then header, then in-document label, then detection; lies corrected."""

from __future__ import annotations

import codecs

import pytest

from newsflow.fetch.charset import choose_encoding, decode, normalize_label

TEXT = "Größere Café-Preise – „Zitat“ € "


def test_bom_wins_over_header():
    """A UTF-8 BOM beats a contradicting header and is stripped."""
    body = codecs.BOM_UTF8 + TEXT.encode("utf-8")
    assert decode(body, "text/html; charset=iso-8859-1") == TEXT


def test_utf16_bom():
    """A UTF-16 body with BOM decodes without a label."""
    assert decode(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")) == TEXT


def test_cp1252_labelled_utf8():
    """windows-1252 bytes served as utf-8 are recognised and decoded as windows-1252."""
    assert decode(TEXT.encode("cp1252"), "text/html; charset=UTF-8") == TEXT


WESTERN = {
    "fr": "La crème brûlée du café est très appréciée à Noël, dit l'élève.",
    "pt": "São Paulo e Brasília: a população não está satisfeita com a decisão.",
    "es": "El niño comió jamón en la montaña; mañana irá a Logroño.",
    "de": "Die Bürger in München öffnen die Tür für große Grüße.",
    "it": "La città è più bella così, perché l'università è già aperta.",
    "ca": "La plaça de l'església és plena de gent, però ningú no hi és.",
}


@pytest.mark.parametrize("lang", sorted(WESTERN))
def test_western_european_cp1252_labelled_utf8_is_windows_1252(lang):
    """A windows-1252 page served as utf-8 decodes as windows-1252, never as windows-1250."""
    text = WESTERN[lang]
    body = f"<html><body><p>{text}</p></body></html>".encode("cp1252")
    assert choose_encoding(body, "text/html; charset=utf-8") == ("cp1252", 0)
    assert text in decode(body, "text/html; charset=utf-8")


def test_cyrillic_labelled_utf8_still_goes_to_detection():
    """Bytes of another single-byte script labelled utf-8 are not forced into windows-1252."""
    body = ("Это длинный русский текст о новостях и событиях дня. " * 5).encode("cp1251")
    assert "русский" in decode(body, "text/html; charset=utf-8")


def test_utf8_labelled_latin1():
    """utf-8 bytes served as iso-8859-1 decode as utf-8, not mojibake."""
    assert decode(TEXT.encode("utf-8"), "text/html; charset=ISO-8859-1") == TEXT


def test_latin1_label_means_windows_1252():
    """An iso-8859-1 label decodes 0x80-0x9F as windows-1252 (curly quotes, euro), per WHATWG."""
    assert decode("“€”".encode("cp1252"), "text/html; charset=latin-1") == "“€”"


def test_meta_charset_used_without_header():
    """<meta charset> in the head is honoured when the header has none."""
    body = f'<html><head><meta charset="windows-1251"></head><body>{"Привет"}</body></html>'
    assert "Привет" in decode(body.encode("cp1251"), "text/html")


def test_xml_declaration():
    """The encoding of an XML declaration is honoured."""
    text = "Größe € café"  # € is 0xA4 in ISO-8859-15 but ¤ in latin-1
    body = f'<?xml version="1.0" encoding="ISO-8859-15"?><r>{text}</r>'.encode("iso-8859-15")
    assert text in decode(body, "application/xml")


def test_lying_meta_is_ignored():
    """A <meta charset=utf-8> over windows-1252 bytes is not believed."""
    body = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("cp1252")
    assert TEXT in decode(body)


def test_detection_without_any_label():
    """Unlabelled non-UTF-8 text falls back to detection and still decodes."""
    body = ("Это длинный русский текст о новостях и событиях дня. " * 5).encode("cp1251")
    assert "русский" in decode(body)


def test_unknown_label_is_ignored():
    """A charset label Python does not know falls through to the next step."""
    assert decode(TEXT.encode("utf-8"), "text/html; charset=x-made-up") == TEXT
    assert normalize_label("x-made-up") is None


@pytest.mark.parametrize("body", [b"", b"plain ascii"])
def test_trivial_bodies(body):
    """Empty and ASCII bodies decode without surprises."""
    assert decode(body, None) == body.decode()


def test_choose_reports_bom_length():
    """choose_encoding says how many BOM bytes to skip."""
    assert choose_encoding(codecs.BOM_UTF8 + b"x", None) == ("utf-8", 3)


def test_legacy_label_decoded_as_superset():
    """A gb2312 label decodes with gb18030, which covers characters gb2312 lacks (WHATWG)."""
    text = "新闻 𠀀"  # the second character exists only in gb18030
    assert decode(text.encode("gb18030"), "text/html; charset=gb2312") == text
