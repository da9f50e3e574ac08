"""The ACLED sub-event crosswalk, read from data/acled.yaml and checked at load.

A misspelt PLOVER type or ACLED event type fails when the coder starts, not mid-article.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from newsflow.errors import CodingError
from newsflow.events.lexicon import load_data
from newsflow.models import Acled, EventType

AcledType = Literal[
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
]


class SubEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    event_type: AcledType
    plover: list[EventType]


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sub_events: dict[str, SubEvent]
    by_mode: dict[EventType, dict[str, str]]
    by_role: dict[str, str]

    def model_post_init(self, _context: object) -> None:
        named = [s for modes in self.by_mode.values() for s in modes.values()]
        unknown = set(named + list(self.by_role.values())) - set(self.sub_events)
        if unknown:
            raise ValueError(f"by_mode/by_role name unknown sub-events: {sorted(unknown)}")


@cache
def table() -> Crosswalk:
    try:
        return Crosswalk.model_validate(load_data("acled.yaml"))
    except ValidationError as exc:
        raise CodingError(f"events/data/acled.yaml is invalid: {exc}") from exc


def acled(
    plover_type: str, sub_event: str | None, mode: str | None = None, role: str | None = None
) -> Acled | None:
    """The ACLED pair of an event: by its role or mode where the codebook defines it so, else the
    sub-event the typer chose; None when the type cannot carry it."""
    cw = table()
    chosen = (
        cw.by_role.get(role or "") or cw.by_mode.get(plover_type, {}).get(mode or "") or sub_event
    )
    entry = cw.sub_events.get(chosen or "")
    if entry is None or plover_type not in entry.plover:
        return None
    return Acled(event_type=entry.event_type, sub_event_type=chosen)
