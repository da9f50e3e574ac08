"""The ACLED crosswalk: data validated at load, codebook rules by mode and role, type limits."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from newsflow.events import crosswalk


def test_shipped_crosswalk_loads_and_names_codebook_types() -> None:
    table = crosswalk.table()
    assert table.sub_events["Arrests"].event_type == "Strategic developments"
    assert {s.event_type for s in table.sub_events.values()} == set(get_args(crosswalk.AcledType))


def test_weapon_mode_decides_the_remote_violence_sub_event() -> None:
    a = crosswalk.acled("ASSAULT", "Armed clash", "aerial")
    assert (a.event_type, a.sub_event_type) == ("Explosions/Remote violence", "Air/drone strike")
    assert crosswalk.acled("ASSAULT", "Armed clash", "firearms").sub_event_type == "Armed clash"


def test_interception_is_disrupted_weapons_use() -> None:
    a = crosswalk.acled("ASSAULT", "Armed clash", "drone", role="intercept")
    assert a.sub_event_type == "Disrupted weapons use"


def test_a_type_that_cannot_carry_the_sub_event_gets_none() -> None:
    assert crosswalk.acled("ACCUSE", "Peaceful protest") is None
    assert crosswalk.acled("PROTEST", "Arrests") is None
    assert crosswalk.acled("ASSAULT", None) is None
    assert crosswalk.acled("ASSAULT", "No such thing") is None


def test_misspelt_type_or_sub_event_fails_validation() -> None:
    good = {"event_type": "Battles", "plover": ["ASSAULT"]}
    with pytest.raises(ValidationError):
        crosswalk.SubEvent.model_validate({"event_type": "Battles", "plover": ["ASSUALT"]})
    with pytest.raises(ValidationError):
        crosswalk.SubEvent.model_validate({"event_type": "Battle", "plover": ["ASSAULT"]})
    with pytest.raises(ValidationError, match="unknown sub-events"):
        crosswalk.Crosswalk.model_validate(
            {
                "sub_events": {"Armed clash": good},
                "by_mode": {"ASSAULT": {"aerial": "Airstrike"}},
                "by_role": {},
            }
        )
