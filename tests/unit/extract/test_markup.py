"""The consent-markup cleaner: vendor and generic banners go, the article is never touched."""

from __future__ import annotations

import trafilatura

from newsflow.extract.markup import strip_consent

ARTICLE = "<p>" + "The regulator published its ruling on consent and cookies today. " * 8 + "</p>"


def page(body: str, body_attrs: str = "") -> object:
    return trafilatura.load_html(
        f"<html><head><title>t</title></head><body{body_attrs}>{body}</body></html>"
    )


def text(tree: object) -> str:
    return " ".join(" ".join(tree.itertext()).split())


def test_vendor_banners_removed() -> None:
    """OneTrust, Cookiebot, CookieLawInfo and Quantcast containers are removed and counted once each."""
    tree = page(
        f"<article>{ARTICLE}</article>"
        "<div id='onetrust-consent-sdk'><div id='onetrust-banner-sdk'>OT banner</div></div>"
        "<div id='CybotCookiebotDialog'>CB banner</div>"
        "<div id='cookie-law-info-bar'>CLI banner</div>"
        "<div class='qc-cmp2-container'>QC banner</div>"
    )
    assert strip_consent(tree) == 4
    assert "banner" not in text(tree)
    assert "regulator published" in text(tree)


def test_generic_banner_needs_consent_words() -> None:
    """A generically named box or dialog goes only when its own text reads like a consent banner."""
    tree = page(
        f"<article>{ARTICLE}</article>"
        "<div class='cookie-banner'>We use cookies. OK</div>"
        "<div class='consent-explainer'><p>The court said sites must ask consent before cookies are set.</p></div>"
        "<div role='dialog'>Subscribe to our newsletter</div>"
        "<div class='gdpr-box'>Weather for the weekend</div>"
    )
    assert strip_consent(tree) == 1
    assert "We use cookies" not in text(tree)
    assert "Subscribe to our newsletter" in text(tree)
    assert "Weather for the weekend" in text(tree)
    assert "The court said sites must ask consent" in text(tree)


def test_article_named_consent_is_kept() -> None:
    """Containers holding the article, a main or an h1 stay even when their names say consent or cookie."""
    tree = page(
        f"<div id='consent-law-story'><h1>Consent ruling</h1>{ARTICLE}</div>"
        f"<article class='cookie-consent-explainer'>{ARTICLE}</article>",
        body_attrs=" class='cookies-not-set'",
    )
    assert strip_consent(tree) == 0
    assert text(tree).count("regulator published") == 16


def test_long_generic_box_is_kept() -> None:
    """A generically named box with more text than any banner is left for the extractor to judge."""
    tree = page(f"<section class='consent-explainer'>{ARTICLE * 8}</section>")
    assert strip_consent(tree) == 0


def test_tail_text_survives_removal() -> None:
    """Text that follows a removed banner in the same parent is kept."""
    tree = page(
        "<div><span id='cookie-notice'>We use cookies, accept?</span>The story goes on.</div>"
    )
    assert strip_consent(tree) == 1
    assert text(tree) == "t The story goes on."
