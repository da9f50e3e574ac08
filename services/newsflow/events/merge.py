"""Merges repeated mentions of one event within an article.

Two drafts are one event when type, modality and ACLED sub-type agree and nothing they say
conflicts: places equal (or one unknown), dates read from the text equal, actor countries
intersect (or one unknown), recipient countries intersect (or one unknown). Violence with no
place on either side also needs a shared actor, so separate strikes by the same side are not
fused; a placed and a placeless mention far apart need the placeless one to name the place. The merged event keeps the evidence
of its richest mention, and per count kind the count from the richest mention that has it.
"""

from __future__ import annotations

from newsflow.events.draft_record import Draft

# A bare follow-up mention must start within this many characters of the event it continues.
FOLLOW_UP_CHARS = 400
# A statement re-told without its addressee ("the Kremlin's response ... off the table") is
# joined to one by the same speaker this close before or after it.
RETOLD_CHARS = 800
RETOLD = {"REJECT", "ACCUSE", "THREATEN", "REQUEST", "SUPPORT", "AGREE"}
MATERIAL_CONFLICT = {"ASSAULT", "COERCE", "PROTEST", "MOBILIZE", "SANCTION"}


def _compatible(a: set[str], b: set[str]) -> bool:
    return not a or not b or bool(a & b)


def same_event(a: Draft, b: Draft, acled_a: str | None, acled_b: str | None) -> bool:
    if a.event_type != b.event_type or a.modality != b.modality:
        return False
    if acled_a and acled_b and acled_a != acled_b:
        return False
    if a.location and b.location and a.location.name != b.location.name:
        return False
    if a.date_source == "text" and b.date_source == "text" and a.date != b.date:
        return False
    if not _compatible(a.countries(), b.countries()):
        return False
    if not _compatible(a.countries("recipients"), b.countries("recipients")):
        return False
    if a.sentence == b.sentence:
        return True
    same_place = bool(a.location and b.location)
    same_actor = bool(a.countries() & b.countries())
    if a.event_type in MATERIAL_CONFLICT:
        # Violence is re-told with new details; a shared place or a shared attacker links it,
        # and so does a bare follow-up right after it ("Police fired tear gas at the protesters").
        bare = any(not d.location and not d.countries() for d in (a, b))
        near = abs(a.sentence.start - b.sentence.start) <= FOLLOW_UP_CHARS
        return same_place or (same_actor and _placed_alike(a, b, near)) or (bare and near)
    # Statements repeat less: the same speaker and the same addressee, or the same speaker close
    # by with one addressee unstated (recipients were checked compatible above).
    # Meetings and visits recur between the same sides, so only verbal stances are joined so.
    retold = (
        a.event_type in RETOLD
        and a.countries() == b.countries()
        and a.mode == b.mode
        and abs(a.sentence.start - b.sentence.start) <= RETOLD_CHARS
    )
    return same_actor and (bool(a.countries("recipients") & b.countries("recipients")) or retold)


def _placed_alike(a: Draft, b: Draft, near: bool) -> bool:
    """One side's attacks, one placed and one not: the same strike when told close by, or when
    the placeless mention names the other's place. Far apart they are often two strikes of
    one night ("... at Kyiv." and, paragraphs on, "In the Chernihiv region ... strikes").
    """
    if a.location and b.location:
        return False
    if near or not (a.location or b.location):
        return True
    placed, bare = (a, b) if a.location else (b, a)
    assert placed.location is not None
    return placed.location.text.lower() in bare.sentence.text.lower()


def combine(group: list[Draft]) -> Draft:
    best = max(group, key=lambda d: (d.richness(), -d.sentence.start))
    out = Draft(**{**best.__dict__})
    kinds = {c.kind for c in best.counts}
    for d in sorted(group, key=lambda d: -d.richness()):
        if d.sentence == best.sentence:
            # One sentence's counts were given to one draft each (attach.py): all stay.
            out.counts += [c for c in d.counts if c not in out.counts]
        else:
            out.counts += [c for c in d.counts if c.kind not in kinds]
        kinds |= {c.kind for c in d.counts}
        out.mode = out.mode or d.mode
        out.location = out.location or d.location
        if not out.actors or (out.inferred_actor and d.actors and not d.inferred_actor):
            out.actors, out.inferred_actor = d.actors, d.inferred_actor
        out.recipients = out.recipients or d.recipients
        if out.date_source != "text" and d.date_source == "text":
            out.date, out.date_precision, out.date_source = d.date, d.date_precision, d.date_source
        out.contexts = list(dict.fromkeys(out.contexts + d.contexts))
    out.merged_text = " ".join(
        [d.sentence.text for d in group if d.sentence != best.sentence] + [best.merged_text]
    )
    out.confidence = min(1.0, max(d.confidence for d in group) + 0.05 * (len(group) - 1))
    out.counts.sort(key=lambda c: c.span.start)
    return out


def link_interventions(drafts: list[Draft]) -> None:
    """Let a protest see the crowd control reported right after it, for its ACLED sub-type."""
    for p in drafts:
        if p.event_type != "PROTEST":
            continue
        for a in drafts:
            if (
                a.mode == "crowd-control"
                and 0 < a.sentence.start - p.sentence.start <= FOLLOW_UP_CHARS
            ):
                p.merged_text = f"{p.merged_text} {a.sentence.text}".strip()


def merge(drafts: list[Draft], acled_of: dict[int, str | None]) -> list[Draft]:
    """Greedy single pass in article order; `acled_of` maps id(draft) to its ACLED sub-type."""
    groups: list[list[Draft]] = []
    for d in drafts:
        for g in groups:
            if all(
                same_event(d, other, acled_of.get(id(d)), acled_of.get(id(other))) for other in g
            ):
                g.append(d)
                break
        else:
            groups.append([d])
    return [combine(g) if len(g) > 1 else g[0] for g in groups]
