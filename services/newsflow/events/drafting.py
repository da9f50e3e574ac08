"""Builds draft events from one parsed candidate sentence.

For each trigger: read actor and recipient from the parse (empty rather than guessed from a
country named elsewhere in the sentence), decide modality, place, date and counts, and apply the
PLOVER conventions that change the type (a refused offer is REJECT, a promise to act is AGREE,
a conditional act is THREATEN, a quoted charge against someone is ACCUSE).
"""

from __future__ import annotations

import re
from datetime import datetime

from spacy.tokens import Doc, Token

from newsflow.events import (
    arguments,
    classify,
    counts,
    dates,
    modality,
    places,
    roles,
    rule_screens,
    selection,
    triggers,
)
from newsflow.events.actors import Memory, combine, phrase, resolve
from newsflow.events.draft_record import Draft
from newsflow.events.lexicon import Sense
from newsflow.events.sentences import Sentence
from newsflow.models import Actor, Count

COOPERATIVE = {"AGREE", "CONCEDE", "SUPPORT", "COOPERATE", "AID", "CONSULT"}
PROMISABLE = {"AID", "RETREAT", "COOPERATE", "SUPPORT", "CONCEDE", "CONSULT"}
CONFLICT_ACTS = {"ASSAULT", "COERCE", "SANCTION", "PROTEST", "MOBILIZE"}
# Count kinds each event type may carry.
COUNT_KINDS = {
    "ASSAULT": {"killed", "injured", "abducted", "missing", "displaced", "launched"},
    "COERCE": {"arrested", "abducted", "displaced", "killed", "injured"},
    "PROTEST": {"killed", "injured", "arrested", "other"},
    "MOBILIZE": {"other"},
    "intercept": {"intercepted", "launched"},
}
DIRECTIVE = {"urge", "demand", "ask", "call", "press", "appeal", "tell"}
LOCAL_SECTORS = {"POL", "CVL", "JUD", "BUS", "MED"}
CASUALTY_VERBS = {"kill", "die", "wound", "injure"}
_ACCIDENT = re.compile(
    r"\b(crash\w*|accidents?|collisions?|earthquakes?|floods?|flooding|landslides?|storms?|hurricanes?|cyclones?|wildfires?|stampedes?|drown\w*|derail\w*|capsiz\w*|outbreaks?|plague|epidemic|pandemic)\b",
    re.I,
)
_HELD = {"detain", "jail", "imprison", "hold", "arrest"}
_ANAPHORIC = {"the", "this", "that", "these", "those", "such"}
_QUOTE = re.compile(r"[“\"]([^”\"]{20,})[”\"]")
_SUBCLAUSE = {"acl", "relcl", "appos", "advcl", "ccomp"}


def _span(tokens: list[Token]) -> tuple[int, int]:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _heads_span(heads: list[Token]) -> list[tuple[int, int]]:
    return [_span(phrase(h)) for h in heads]


def _quote_speaker(doc: Doc, quotes: list[tuple[int, int]]) -> Token | None:
    """The subject outside the quotation marks: whoever utters the quoted words."""
    if not quotes:
        return None
    for t in doc:
        if (
            t.dep_ in ("nsubj", "nsubjpass")
            and not _in_quote(t.idx, quotes)
            and t.pos_ in ("PROPN", "PRON", "NOUN")
        ):
            return t
    return None


def _in_quote(pos: int, quotes: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in quotes)


def _date_for(
    doc: Doc, trigger: Token, published_at: datetime | None, future: bool
) -> dates.Resolved:
    """The date expression nearest the trigger that is not inside a clause the trigger is not in."""
    best = None
    for s, _e, resolved in dates.candidates(doc.text, published_at, future=future):
        tok = doc.char_span(s, s + 1, alignment_mode="expand")
        if tok is None:
            continue
        t = tok.root
        if t.lower_ == "since" and t.head.i != trigger.i:
            continue  # "detained since 2021" dates the detention, not other events nearby
        blocked = False
        for a in [t, *t.ancestors]:
            if a.dep_ in _SUBCLAUSE and trigger not in list(a.subtree):
                blocked = True
                break
        if not blocked and (best is None or abs(s - trigger.idx) < best[0]):
            best = (abs(s - trigger.idx), resolved)
    return best[1] if best else dates.fallback(published_at)


def _counts_for(kind_key: str, found: list[Count]) -> list[Count]:
    kinds = COUNT_KINDS.get(kind_key, set())
    return [c for c in found if c.kind in kinds]


def draft_sentence(
    sent: Sentence, doc: Doc, memory: Memory, published_at: datetime | None
) -> list[Draft]:
    """Every draft event the sentence supports, before merging."""
    found_counts = counts.read(sent.text, sent.start, doc)
    quotes = [
        (m.start(1), m.end(1)) for m in _QUOTE.finditer(sent.text) if len(m.group(1).split()) >= 4
    ]
    memory.quote_speaker = _quote_speaker(doc, quotes)
    pairs: list[tuple[Token, Draft]] = []
    for match in triggers.find(doc):
        pairs += [
            (match.token, d)
            for d in _draft(match, sent, doc, memory, published_at, found_counts, quotes)
        ]
    return rule_screens.drop_embedded(pairs)


def _names_country(heads: list[Token], memory: Memory) -> bool:
    return any(a.country for h in heads for a in resolve(h, memory))


def vetoed(sent: Sentence, doc: Doc) -> set[str]:
    """Types whose trigger words the lexicon's sense screens read as no event here: "fired a shot
    past the goalkeeper", "killed in a landslide", "captured an image". The typer does not
    override these finer readings of one word."""
    out = set()
    has_counts = bool(counts.read(sent.text, sent.start, doc))
    for m in triggers.find(doc):
        tok, etype = m.token, m.sense.type
        if len(m.indices) == 1:
            judged = selection.judge(tok, tok.lemma_.lower(), etype, m.sense.patient_poss)
            if judged is None:
                out.add(etype)
                continue
            etype = judged
        if rule_screens.sporting_violence(etype, sent.text, has_counts) or (
            tok.lemma_.lower() in CASUALTY_VERBS and _ACCIDENT.search(sent.text)
        ):
            out.add(etype)
    return out


def _draft(
    match: triggers.Match,
    sent: Sentence,
    doc: Doc,
    memory: Memory,
    published_at: datetime | None,
    found_counts: list[Count],
    quotes: list[tuple[int, int]],
    typed: bool = False,
) -> list[Draft]:
    """Drafts for one trigger. `typed`: the typer already decided the type, so the rule screens
    that guess whether a trigger word is an event at all are skipped."""
    tok, sense = match.token, match.sense
    etype, mode = sense.type, sense.mode
    if len(match.indices) == 1 and not typed:
        judged = selection.judge(tok, tok.lemma_.lower(), etype, sense.patient_poss)
        if judged is None:
            return []  # "capturing an image", "released an album", "beat Croatia 2-1"
        if judged != etype:
            etype, mode = judged, None
    found = roles.find(tok, sense.role, sense.patient_poss)
    chooser = arguments.default()
    chosen_place = None
    if chooser is not None:
        # The rules' reading stands where it names a country; the learned chooser fills the rest.
        ranked = places.ranked(doc, etype, [], tok)
        actor, recipient, chosen_place = chooser.choose(
            tok, etype, found.actors, found.recipients, ranked
        )
        if not _names_country(found.actors, memory):
            found.actors = roles.with_conj(actor) if actor is not None else []
        if not found.no_recipient and not _names_country(found.recipients, memory):
            found.recipients = roles.with_conj(recipient) if recipient is not None else []
    if (
        not typed
        and sense.role == "speaker"
        and rule_screens.epistemic_must(tok, found.recipients[0] if found.recipients else None)
    ):
        return []
    by_head = [(h, resolve(h, memory)) for h in found.actors]
    actors = combine([a for _, acts in by_head for a in acts])
    recipients = combine([a for h in found.recipients for a in resolve(h, memory)])
    mood = "asserted" if sense.role == "speaker" else modality.of(tok)
    if mood == "negated" and etype == "REJECT" and len(match.indices) > 1:
        mood = "asserted"  # "not accept", "fail to reach": the negation is the refusal itself
    if mood == "asserted" and etype in ("CONSULT", "AGREE") and modality.planned(tok):
        mood = "future"
    is_noun = tok.pos_ in ("NOUN", "PROPN") and len(match.indices) == 1
    kind_key = "intercept" if sense.role == "intercept" else etype
    event_counts = _counts_for(kind_key, found_counts)
    # Only words that named a country are the actor's, not a place ("an attack on X killed ...").
    actor_spans = _heads_span([h for h, acts in by_head if any(a.country for a in acts)])
    location = chosen_place or places.locate(doc, etype, actor_spans, tok)
    if is_noun and not found.actors and not found.recipients and not typed:
        det = {c.lower_ for c in tok.children if c.dep_ in ("det", "poss")}
        if det & _ANAPHORIC and not event_counts:
            return []  # "the attack", "this rejection": a mention of an event already coded
        if location is None and not event_counts:
            return []  # "potential peace talks": nobody, nowhere, nothing counted
    if is_noun and not found.actors and mood == "hypothetical" and not event_counts and not typed:
        return []  # "any eventual accord", "potential talks": a possibility, not an event

    if not typed and _in_quote(tok.idx, quotes) and etype in CONFLICT_ACTS | {"THREATEN"}:
        spk = memory.quote_speaker
        if spk is None or not actors:
            return []
        accuser = resolve(spk, memory)
        if not accuser or {a.country for a in accuser} == {a.country for a in actors}:
            return []
        etype, mode, recipients, actors, mood = "ACCUSE", None, actors, accuser, "asserted"
        location = None

    inferred = False
    if not any(a.country for a in actors) and found.passive and etype in CONFLICT_ACTS:
        # "an American detained in Russia": the detainee is the recipient; the state of custody
        # acts (lower confidence), never a country named elsewhere in the sentence.
        custody = rule_screens.custody_actor(tok) if mode in rule_screens.CUSTODY_MODES else None
        actors, inferred = ([custody], True) if custody is not None else (actors, False)
    elif not any(a.country for a in actors) and mode == "release":
        # "Fogel, an American detained in Russia, ... his release": the custodian releases.
        held = [t for t in doc if t.lemma_.lower() in _HELD and t.tag_ == "VBN"]
        custody = rule_screens.custody_actor(held[0]) if held else None
        actors, inferred = ([custody], True) if custody is not None else (actors, False)
    local = (
        actors
        and not any(a.country for a in actors)
        and any(a.sector in LOCAL_SECTORS for a in actors)
    )
    if local and location is not None and location.country:
        # Police, protesters, courts and residents act where they are (ACLED convention).
        actors = [a.model_copy(update={"country": location.country}) for a in actors]
    if not typed and not rule_screens.attributable(
        etype,
        actors,
        recipients,
        located=location is not None,
        counted=bool(event_counts),
        meeting_noun=is_noun,
        violent=selection.violent(sent.text, tok),
    ):
        return []  # "he visited his doctor", "provides battery life": no party a reader could name
    if not typed and rule_screens.sporting_violence(etype, sent.text, bool(event_counts)):
        return []  # "Kazakhstan beat the Netherlands 2-1", "fired a shot at the goaltender"
    armed = any(a.sector in ("MIL", "REB", "POL") for a in actors)
    if (
        tok.lemma_.lower() in CASUALTY_VERBS
        and _ACCIDENT.search(sent.text)
        and not (found.actors and armed)
        and not typed
    ):
        return []  # deaths in a crash, flood or fire are not an assault
    recipients = [
        r for r in recipients if (r.name, r.country) not in {(a.name, a.country) for a in actors}
    ]
    if not typed and mood == "negated" and etype in COOPERATIVE | {"AID", "RETREAT"}:
        if not rule_screens.refusal(tok):
            return []  # "had not met since 1965", "was not a topic of our discussions": no event
        etype, mode, mood = "REJECT", None, "asserted"
    date, precision, source = _date_for(doc, tok, published_at, future=mood == "future")
    if mood == "asserted" and source == "text" and dates.is_past(date, precision, published_at):
        mood = "historical"
    if etype == "ASSAULT" and mode is None:
        mode = classify.mode_from_words(sent.text)
    base = Draft(
        event_type=etype,
        sentence=sent,
        trigger=" ".join(doc[i].text for i in match.indices),
        trigger_start=sent.start + tok.idx,
        trigger_span=(
            sent.start + doc[min(match.indices)].idx,
            sent.start + doc[max(match.indices)].idx + len(doc[max(match.indices)]),
        ),
        mode=mode,
        role=sense.role,
        actors=actors,
        recipients=recipients,
        location=location,
        date=date,
        date_precision=precision,
        date_source=source,
        modality=mood,
        counts=event_counts,
        contexts=classify.contexts(etype, sent.text),
        confidence=_confidence(actors, recipients, tok, found.actors) - (0.15 if inferred else 0),
        inferred_actor=inferred,
    )
    if typed:
        return [base]
    out = [base]
    unless = modality.clause_has(tok, {"unless"})
    condition = unless or modality.clause_has(tok, {"if"})
    said = roles.speaker(tok, say_only=True)
    # "urged X to support Y" is a request to someone else, not the speaker's own promise or threat
    announced = (
        said is not None
        and said.head.lemma_.lower() not in DIRECTIVE
        and mood in ("future", "hypothetical")
    )
    # PLOVER codes a promise or offer to act as AGREE and a conditional or announced hostile act
    # as THREATEN. A conditional act ("unless ...", "if ...") has not happened and is no record of
    # its own; an announced one ("will prohibit all aid", "will release") is kept beside it,
    # marked future: the PLOVER gold codes it as the act itself.
    if (
        mood in ("future", "hypothetical")
        and etype in PROMISABLE
        and not unless
        and (announced or condition)
    ):
        out = (
            [_variant(base, "AGREE")]
            if condition and not announced
            else [base, _variant(base, "AGREE")]
        )
    hostile = (etype in CONFLICT_ACTS and (condition or announced)) or (
        etype == "RETREAT" and unless
    )
    if mood in ("future", "hypothetical") and hostile:
        out = [_variant(base, "THREATEN")] if condition else [base, _variant(base, "THREATEN")]
    return out


def _variant(base: Draft, etype: str) -> Draft:
    return Draft(
        **{
            **base.__dict__,
            "event_type": etype,
            "mode": None,
            "modality": "asserted",
            "counts": [],
            "confidence": max(0.3, base.confidence - 0.1),
        }
    )


def _confidence(
    actors: list[Actor], recipients: list[Actor], tok: Token, own_actor: list[Token]
) -> float:
    c = 0.45
    c += 0.2 if any(a.country for a in actors) else 0
    c += 0.1 if own_actor else 0
    c += 0.1 if any(r.country or r.sector for r in recipients) else 0
    c += 0.05 if tok.pos_ == "VERB" else 0
    return round(min(c, 0.95), 2)


def trigger_word(doc: Doc, etype: str) -> Token | None:
    """The argument chooser's trigger word for a type, once per sentence and type."""
    chooser = arguments.default()
    if chooser is None:
        return None
    memo = doc.user_data.setdefault("newsflow.trigger_word", {})
    if etype not in memo:
        memo[etype] = chooser.trigger(doc, etype)
    return memo[etype]


def anchor(
    sent: Sentence,
    doc: Doc,
    memory: Memory,
    published_at: datetime | None,
    etype: str,
    mode: str | None,
) -> Draft | None:
    """A draft of a type the typer chose, on the word the argument chooser names for it (the
    main verb when there is no chooser)."""
    tok = trigger_word(doc, etype)
    if tok is None:
        verbs = [t for t in doc if t.pos_ == "VERB" and t.dep_ not in ("amod", "aux")]
        roots = [t for t in verbs if t.dep_ == "ROOT"]
        tok = (roots or verbs or [t for t in doc if t.dep_ == "ROOT"] or [None])[0]
    if tok is None:
        return None
    lexical = next(
        (m for m in triggers.find(doc) if tok.i in m.indices and m.sense.type == etype), None
    )
    match = (
        triggers.Match(
            tok,
            Sense(
                type=etype,
                mode=mode or lexical.sense.mode,
                role=lexical.sense.role,
                patient_poss=lexical.sense.patient_poss,
            ),
            lexical.indices,
        )
        if lexical is not None
        else triggers.Match(tok, Sense(type=etype, mode=mode), (tok.i,))
    )
    found_counts = counts.read(sent.text, sent.start, doc)
    drafts = _draft(match, sent, doc, memory, published_at, found_counts, [], typed=True)
    return drafts[0] if drafts else None
