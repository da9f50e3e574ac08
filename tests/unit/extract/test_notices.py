"""Consent notices without consent-manager markup: removed wherever they sit, in five
languages, while articles about cookies, privacy and embeds keep their paragraphs."""

from __future__ import annotations

import pytest

from newsflow.extract.clean import clean_blocks
from newsflow.extract.notices import notice_kind

BODY = [
    "The water board said on Friday that the reservoir above the valley had reached its lowest level since records began in 1952, after a summer with less than half the usual rain.",
    "Farmers downstream have been told they may draw water only at night, and the board will decide next month whether to stop irrigation altogether if the autumn stays dry.",
    "Engineers are checking the dam for cracks that low water has exposed. They said none found so far was a danger, but that the inspection would take until the end of the year.",
]


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        (
            "We use cookies to understand how you use the site and to show you relevant ads. You can refuse them or change your choice at any time in the settings.",
            "cookie_banner",
        ),
        (
            "Wir verwenden Cookies, um Inhalte zu personalisieren. Sie können die Einwilligung jederzeit in den Einstellungen widerrufen.",
            "cookie_banner",
        ),
        (
            "Nous utilisons des cookies pour mesurer l'audience. Vous pouvez les refuser dans les paramètres.",
            "cookie_banner",
        ),
        (
            "Utilizamos cookies propias y de terceros. Puede aceptar o rechazar su uso en la configuración.",
            "cookie_banner",
        ),
        (
            "Questo sito utilizza cookie di profilazione. Puoi accettare o rifiutare nelle impostazioni.",
            "cookie_banner",
        ),
        (
            "An dieser Stelle finden Sie einen externen Inhalt, der den Artikel ergänzt. Sie können ihn sich mit einem Klick anzeigen lassen.",
            "consent_embed",
        ),
        (
            "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird.",
            "consent_embed",
        ),
        (
            "This embed shows external content. Click here to load it and accept its cookies.",
            "consent_embed",
        ),
        ("Ce contenu externe est bloqué. Cliquez pour afficher le contenu.", "consent_embed"),
        ("Este contenido externo está bloqueado. Haga clic para cargarlo.", "consent_embed"),
        ("Questo contenuto esterno è bloccato: clicca per visualizzarlo.", "consent_embed"),
    ],
)
def test_notice_inside_article_is_removed(block: str, kind: str) -> None:
    """A consent paragraph or blocked-embed placeholder goes even between article paragraphs."""
    kept, removed = clean_blocks([BODY[0], block, *BODY[1:]])
    assert kept == BODY
    assert removed == {kind: 1}


@pytest.mark.parametrize(
    "block",
    [
        # an article about cookie law speaks of sites in the third person
        "The regulator said websites that use cookies to track visitors must let them refuse as easily as they accept, or face fines.",
        "Under the new rules, a site that wants to set advertising cookies has to ask first and must offer a button to reject them.",
        # a site's banner quoted or reported stays article text
        '"We use cookies to improve the service, and anyone can refuse them in the settings," the spokeswoman said.',
        "The banner read: we use cookies to improve your experience, accept or manage settings.",
        # an article about embeds addresses no one
        "The platform will show external content from third parties only after users consent, the company said.",
        "Datenschützer kritisieren, dass externe Inhalte oft ohne Zustimmung geladen werden.",
        # and long prose is never a notice
        " ".join(["We use cookies in this study of how readers accept or refuse tracking."] * 10),
    ],
)
def test_articles_about_cookies_keep_their_text(block: str) -> None:
    """Paragraphs about cookies, consent or embeds that are not the site's own notice stay."""
    assert notice_kind(block) is None
    kept, removed = clean_blocks([BODY[0], block, *BODY[1:]])
    assert kept == [BODY[0], block, *BODY[1:]]
    assert not removed
