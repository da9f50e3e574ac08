"""Finds who acts and who is acted on for a trigger, from spaCy's dependency parse.

Verbs: the subject acts and the object (or a prepositional object) receives; a passive subject
receives and the "by" agent acts. Nouns: a possessor, a national adjective or a "by" phrase
acts ("Russia's invasion"), "on/against" marks the target, and a light verb's subject acts
("Ukrainian forces launched a counteroffensive"). Returns token heads; actors.py resolves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

SUBJ = {"nsubj", "csubj", "expl"}
PASSIVE_SUBJ = {"nsubjpass", "csubjpass"}
TARGET_PREPS = {
    "against",
    "on",
    "upon",
    "with",
    "to",
    "at",
    "into",
    "from",
    "over",
    "toward",
    "towards",
}
# Verbs that take an event noun as object and whose subject is that event's actor.
LIGHT_VERBS = {
    "launch",
    "carry",
    "conduct",
    "stage",
    "mount",
    "report",
    "announce",
    "claim",
    "begin",
    "continue",
    "hold",
    "lodge",
    "make",
    "issue",
    "impose",
    "order",
    "start",
    "resume",
    "give",
    "file",
    "open",
    "deliver",
    "reach",
    "sign",
    "declare",
    "institute",
    "reiterate",
    "extend",
    "perpetrate",
    "commit",
    "wage",
    "unleash",
    "intensify",
    "step",
}
# Participles whose by-agent runs the event the noun names ("talks brokered by Qatar").
LED = {
    "lead",
    "broker",
    "mediate",
    "host",
    "chair",
    "organise",
    "organize",
    "conduct",
    "sponsor",
    "launch",
    "carry",
}
# Verbs of saying: their subject is the speaker of the clause under them.
SAY = {
    "say",
    "tell",
    "warn",
    "state",
    "declare",
    "announce",
    "insist",
    "add",
    "note",
    "report",
    "make",
    "claim",
    "conclude",
    "stress",
    "argue",
    "write",
    "urge",
    "believe",
    "vow",
    "demand",
}


# Verbs without a patient: a noun they modify is their doer ("people protested").
INTRANSITIVE = {
    "protest",
    "demonstrate",
    "riot",
    "march",
    "rally",
    "strike",
    "clash",
    "fight",
    "flee",
    "die",
    "resign",
    "surrender",
}
# Participles that describe their subject's stance rather than something done to it.
STATIVE = {
    "committed",
    "prepared",
    "determined",
    "resolved",
    "willing",
    "ready",
    "engaged",
    "involved",
}


@dataclass
class Roles:
    actors: list[Token] = field(default_factory=list)
    recipients: list[Token] = field(default_factory=list)
    passive: bool = False  # the subject undergoes the act ("was detained", "an American detained")
    no_recipient: bool = False  # the rules read that nobody named is the recipient


def with_conj(tok: Token) -> list[Token]:
    return [
        tok,
        *[c for c in tok.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON")],
    ]


def subject(verb: Token) -> tuple[Token | None, bool]:
    """The subject of a verb, climbing through xcomp/conj chains; (token, is_passive)."""
    t = verb
    for step in range(5):
        for c in t.children:
            if c.dep_ in SUBJ and c.lower_ not in ("that", "which", "who"):
                return c, False
            if c.dep_ in PASSIVE_SUBJ:
                # "X is scheduled to visit": the raised subject is the visitor, not a patient
                return c, step == 0
        if t.dep_ in ("relcl",) or (t.dep_ == "acl" and t.tag_ == "VBG"):
            return t.head, False
        if t.dep_ == "acl" and t.tag_ == "VBN" and t.lemma_.lower() not in INTRANSITIVE:
            return t.head, True  # "an American detained in Russia": the head noun is the patient
        if t.dep_ == "acl":
            return t.head, False  # "300 people protested in Lagos", parsed as a reduced relative
        if t.dep_ in ("xcomp", "conj", "advcl", "aux", "acomp") and t.head is not t:
            t = t.head
            continue
        break
    return None, False


def _agent(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def asks_for(tok: Token) -> bool:
    return tok.lemma_.lower() in ("call", "appeal", "ask", "press", "push") and any(
        c.dep_ == "prep" and c.lower_ == "for" for c in tok.children
    )


def _objects(tok: Token) -> list[Token]:
    for c in tok.children:
        if c.dep_ in ("dobj", "dative", "attr") and c.pos_ in ("NOUN", "PROPN", "PRON"):
            return with_conj(c)
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in TARGET_PREPS:
            for g in c.children:
                if g.dep_ == "pobj":
                    return with_conj(g)
    if asks_for(tok):
        return []  # "called for action against X": X is the target of the action asked for, not the addressee
    for c in tok.children:
        if c.dep_ in ("ccomp", "xcomp"):
            for g in c.children:
                if g.dep_ in ("nsubj", "dobj"):
                    return with_conj(g)
    return []


def speaker(tok: Token, *, say_only: bool = False) -> Token | None:
    """Subject of the nearest verb of saying above the trigger's clause (or of the main verb,
    unless `say_only`)."""
    t = tok.head if tok.dep_ != "ROOT" else tok
    for _ in range(6):
        if t.lemma_.lower() in SAY or (t.dep_ == "ROOT" and not say_only):
            subj, _ = subject(t)
            if subj is not None and subj.i != tok.i:
                return subj
        if t.head is t:
            break
        t = t.head
    return None


def find(trigger: Token, role: str | None, patient_poss: bool = False) -> Roles:
    """Actor and recipient heads for a trigger token."""
    out = Roles()
    if role == "speaker":
        clause = trigger.head if trigger.dep_ == "aux" else trigger
        subj, _ = subject(clause)
        spk = speaker(clause)
        if spk is not None:
            out.actors = with_conj(spk)
        if subj is not None:
            out.recipients = with_conj(subj)
        return out
    if trigger.pos_ in ("VERB", "AUX", "ADJ") or trigger.tag_.startswith("VB"):
        subj, passive = subject(trigger)
        agent = _agent(trigger)
        if passive and trigger.lower_ in STATIVE:
            passive = (
                False  # "Vietnam is committed to ...": an adjectival passive, the subject acts
            )
        out.passive = passive
        if passive:
            out.recipients = with_conj(subj) if subj is not None else []
            out.actors = with_conj(agent) if agent is not None else []
        else:
            out.actors = with_conj(subj) if subj is not None else []
            out.recipients = _objects(trigger)
            out.no_recipient = asks_for(trigger)
        return out
    return _noun(trigger, patient_poss)


def _noun(trigger: Token, patient_poss: bool) -> Roles:
    out = Roles()
    for c in trigger.children:
        if c.dep_ == "poss" and patient_poss:
            out.recipients = with_conj(c)
        elif c.dep_ == "poss":
            out.actors = with_conj(c)
        elif (
            c.dep_ in ("amod", "compound", "nmod")
            and c.pos_ in ("PROPN", "ADJ")
            and c.ent_type_ in ("NORP", "GPE", "ORG")
        ):
            out.actors = out.actors or [c]
        elif c.dep_ == "prep" and c.lower_ == "by":
            out.actors = [g for g in c.children if g.dep_ == "pobj"] or out.actors
        elif c.dep_ == "prep" and c.lower_ == "between":
            pobj = [g for g in c.children if g.dep_ == "pobj"]
            out.actors = with_conj(pobj[0]) if pobj else out.actors
        elif c.dep_ == "prep" and c.lower_ in TARGET_PREPS and not out.recipients:
            out.recipients = [g for g in c.children if g.dep_ == "pobj"]
    head = trigger.head
    if not out.actors:
        # "negotiation efforts led by US envoy X", "talks brokered by Qatar": the by-agent acts
        holders = [trigger, head] if trigger.dep_ == "compound" else [trigger]
        for c in (c for h in holders for c in h.children):
            if c.dep_ == "acl" and c.tag_ == "VBN" and c.lemma_.lower() in LED:
                agent = _agent(c)
                out.actors = [agent] if agent is not None else out.actors
    if (
        not out.actors
        and trigger.dep_ in ("dobj", "attr", "nsubjpass")
        and head.lemma_.lower() in LIGHT_VERBS
    ):
        subj, passive = subject(head)
        if subj is not None and not passive:
            out.actors = with_conj(subj)
    if not out.actors and trigger.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ == "in":
        # "took part in the talks", "killed in a bombing by X": the clause subject is no actor
        pass
    return out
