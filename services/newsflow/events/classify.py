"""PLOVER quad class, ACLED type and PLOVER contexts for a coded event.

Quad classes follow the PLOVER 2.0 grouping; ACLED names are the codebook's exact spellings
(ACLED Codebook 2023, section 2). ACLED is only filled for events ACLED would code: political
violence, demonstrations and the strategic developments it lists.
"""

from __future__ import annotations

import re
from functools import cache

from newsflow.events.lexicon import cues
from newsflow.models import Acled, Actor

QUAD = {
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "CONCEDE": 1,
    "COOPERATE": 2,
    "AID": 2,
    "RETREAT": 2,
    "REQUEST": 3,
    "ACCUSE": 3,
    "REJECT": 3,
    "THREATEN": 3,
    "SANCTION": 4,
    "PROTEST": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}
# Modes one salvo can mix ("a barrage of drones and missiles"): the same act for merging.
MODE_FAMILY = {"aerial": "remote", "drone": "remote", "heavy-weapons": "remote"}
EXPLOSIONS = "Explosions/Remote violence"
_TERRITORY = re.compile(
    r"\b(town|village|city|territory|territories|area|base|hill|region|district|ground|positions?|settlements?)\b",
    re.I,
)
_CHEMICAL = re.compile(
    r"\b(chemical weapons?|chemical attack|sarin|chlorine gas|mustard gas|nerve agent)\b", re.I
)
_RETAKE = re.compile(
    r"\b(retak\w*|retook|recaptur\w*|regain\w*|liberat\w*|took back|taken back|won back)\b", re.I
)
VAC = "Violence against civilians"
STRATEGIC = "Strategic developments"
_REMOTE = {
    "aerial": "Air/drone strike",
    "drone": "Air/drone strike",
    "heavy-weapons": "Shelling/artillery/missile attack",
    "explosives": "Remote explosive/landmine/IED",
    "suicide-attack": "Suicide bomb",
}


def mode_from_words(sentence: str) -> str | None:
    """ASSAULT mode from weapon words when the trigger itself carried none."""
    s = sentence.lower()
    if re.search(r"\bsuicide (bomb|bomber|bombing|attack|car|vest)", s):
        return "suicide-attack"
    if re.search(r"\b(drones?|uavs?|shahed)\b", s):
        return "drone"
    if re.search(
        r"\b(air ?strikes?|warplanes?|airstrikes?|fighter jets?|helicopter gunships?|aerial bombardment)\b",
        s,
    ):
        return "aerial"
    if re.search(r"\b(missiles?|rockets?|shells?|shelling|artillery|mortars?|tanks?)\b", s):
        return "heavy-weapons"
    if re.search(r"\b(grenades?|ieds?|landmines?|mines?|car bombs?|bombs?|explosives?)\b", s):
        return "explosives"
    if re.search(r"\b(guns?|gunfire|gunmen|shot|shooting|rifles?|opened fire)\b", s):
        return "firearms"
    if re.search(r"\b(machetes?|knives|knife|stones|clubs|sticks|axes)\b", s):
        return "primitive"
    return None


def _territory(actors: list[Actor], where: str | None) -> Acled | None:
    """Who takes ground decides the sub-event (ACLED Codebook 2023, Battles).

    "Non-state actor overtakes territory" is any armed group taking ground; "Government regains
    territory" is only a state's forces retaking ground inside their own country. A state
    capturing ground abroad is fighting between states, an armed clash.
    """
    if any(a.sector == "REB" for a in actors):
        return Acled(event_type="Battles", sub_event_type="Non-state actor overtakes territory")
    states = {a.country for a in actors if a.sector in ("MIL", "GOV", None) and a.country}
    if not states:
        return None
    if where in states:
        return Acled(event_type="Battles", sub_event_type="Government regains territory")
    return (
        Acled(event_type="Battles", sub_event_type="Armed clash")
        if where and where not in states
        else None
    )


def acled(
    event_type: str,
    mode: str | None,
    role: str | None,
    actors: list[Actor],
    recipients: list[Actor],
    sentence: str,
    where: str | None = None,
) -> Acled | None:
    """ACLED event and sub-event type, or None when ACLED would not code the event.

    `where` is the country of the event's place. Call only for events reported as happening:
    ACLED codes no threatened, planned or denied acts.
    """
    if role == "intercept":
        return Acled(event_type=STRATEGIC, sub_event_type="Disrupted weapons use")
    civilians = any(r.sector == "CVL" for r in recipients)
    killed = re.search(r"\b(kill|killing|killed|dead|died|death|shot dead)\b", sentence, re.I)
    if event_type == "ASSAULT" and mode == "crowd-control":
        sub = "Excessive force against protesters" if killed else "Protest with intervention"
        return Acled(event_type="Protests", sub_event_type=sub)
    if event_type == "ASSAULT" and _RETAKE.search(sentence) and _TERRITORY.search(sentence):
        taken = _territory(actors, where)
        if taken is not None:
            return taken
    if event_type == "ASSAULT":
        if mode == "abduct":
            return Acled(event_type=VAC, sub_event_type="Abduction/forced disappearance")
        if mode == "sexual":
            return Acled(event_type=VAC, sub_event_type="Sexual violence")
        if _CHEMICAL.search(sentence):
            return Acled(event_type=EXPLOSIONS, sub_event_type="Chemical weapon")
        if mode == "explosives" and re.search(r"\bgrenades?\b", sentence, re.I):
            return Acled(event_type=EXPLOSIONS, sub_event_type="Grenade")
        if mode in _REMOTE:
            return Acled(event_type=EXPLOSIONS, sub_event_type=_REMOTE[mode])
        if mode == "destroy":
            # Destruction by missiles or shelling is that attack; only destruction without an
            # armed engagement is the strategic development (ACLED Codebook 2023, 2.6).
            weapon = mode_from_words(sentence)
            if weapon in _REMOTE:
                return Acled(event_type=EXPLOSIONS, sub_event_type=_REMOTE[weapon])
            return Acled(event_type=STRATEGIC, sub_event_type="Looting/property destruction")
        if civilians or mode in ("beat", "torture", "targeted", "primitive"):
            return Acled(event_type=VAC, sub_event_type="Attack")
        return Acled(event_type="Battles", sub_event_type="Armed clash")
    if event_type == "PROTEST":
        if mode == "riot":
            return Acled(event_type="Riots", sub_event_type="Violent demonstration")
        force = re.search(
            r"\b(police|troops|security forces|soldiers)\b.*\b(fired|opened fire|shot|beat|tear gas|dispersed|arrested|water cannon)",
            sentence,
            re.I,
        )
        if force and killed:
            return Acled(event_type="Protests", sub_event_type="Excessive force against protesters")
        if force:
            return Acled(event_type="Protests", sub_event_type="Protest with intervention")
        return Acled(event_type="Protests", sub_event_type="Peaceful protest")
    if event_type == "COERCE":
        if mode == "arrest":
            return Acled(event_type=STRATEGIC, sub_event_type="Arrests")
        if mode == "destroy":
            return Acled(event_type=STRATEGIC, sub_event_type="Looting/property destruction")
        if mode == "seize" and _TERRITORY.search(sentence):
            return _territory(actors, where)
        return None
    political = any(
        a.sector in ("GOV", "MIL", "REB", "IGO") or (a.country and a.sector != "BUS")
        for a in actors + recipients
    )
    if (
        event_type == "AGREE"
        and political
        and re.search(
            r"\b(ceasefire|truce|peace (deal|agreement|accord)|agreement)\b", sentence, re.I
        )
    ):
        # ACLED's Agreement is between conflict or political parties, not a business contract
        return Acled(event_type=STRATEGIC, sub_event_type="Agreement")
    if event_type == "MOBILIZE" and re.search(
        r"\b(establish\w*|set up|sets up|setting up|opened|built|build|construct\w*)\b[^.]*\b(base|headquarters|outpost)\b",
        sentence,
        re.I,
    ):
        return Acled(event_type=STRATEGIC, sub_event_type="Headquarters or base established")
    if (
        event_type == "RETREAT"
        and mode == "withdraw"
        and _TERRITORY.search(sentence)
        and re.search(
            r"\b(troops|forces|army|soldiers|fighters|militia|militants|rebels)\b", sentence, re.I
        )
    ):
        # An armed side handing ground over without a fight; a withdrawn bill is no territory.
        return Acled(event_type=STRATEGIC, sub_event_type="Non-violent transfer of territory")
    return None


@cache
def _context_words() -> dict[str, list[str]]:
    return cues()["contexts"]


def contexts(event_type: str, sentence: str) -> list[str]:
    """PLOVER contexts whose cue words occur in the sentence, in data-file order."""
    s = sentence.lower()
    out = [
        ctx
        for ctx, words in _context_words().items()
        if any(re.search(rf"\b{re.escape(w)}\b", s) for w in words)
    ]
    if (
        event_type in ("ASSAULT", "MOBILIZE")
        and "military" not in out
        and re.search(r"\b(forces|army|troops|military)\b", s)
    ):
        out.append("military")
    return out
