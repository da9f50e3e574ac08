"""An event while it is being coded: mutable, before ids, ACLED and merging are settled."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsflow.events.sentences import Sentence
from newsflow.models import Actor, Count, Location


@dataclass
class Draft:
    event_type: str
    sentence: Sentence
    trigger: str
    trigger_start: int  # offset in the article of the trigger's head word (hashed into event ids)
    trigger_span: tuple[int, int]  # offsets in the article of all the trigger's words
    mode: str | None = None
    role: str | None = None
    actors: list[Actor] = field(default_factory=list)
    recipients: list[Actor] = field(default_factory=list)
    location: Location | None = None
    date: str | None = None
    date_precision: str | None = None
    date_source: str | None = None
    modality: str = "asserted"
    counts: list[Count] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)
    confidence: float = 0.6
    inferred_actor: bool = False
    # Sentences of other mentions merged into this one; read for ACLED sub-types only.
    merged_text: str = ""
    # The ACLED sub-event the typer chose for this type in this sentence.
    acled_sub: str | None = None
    # How many counts the draft could take before attach.py gave each to one draft: merging
    # ranks the mentions of one sentence by what they read, not by who won a count.
    offered: int | None = None

    def countries(self, who: str = "actors") -> set[str]:
        return {a.country for a in getattr(self, who) if a.country}

    def richness(self) -> int:
        """How much the draft says: used to pick which of two mentions to keep."""
        return (
            3 * (len(self.counts) if self.offered is None else self.offered)
            + 2 * bool(self.countries())
            + bool(self.countries("recipients"))
            + bool(self.location)
            + bool(self.mode)
            + (self.date_source == "text")
        )
