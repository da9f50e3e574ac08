"""The JSON Schemas in schemas/ are generated from the models and must not drift."""

import json

import jsonschema

from newsflow.cli.schemas import render
from tests.conftest import REPO


def test_schema_files_match_models():
    """`make schemas` output equals what is committed; regenerate when a model changes."""
    rendered = render()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "schemas").glob("*.json")}
    assert set(on_disk) == set(rendered), "run `make schemas` and commit schemas/"
    for name, text in rendered.items():
        assert on_disk[name] == text, f"{name} drifted from the model; run `make schemas`"


def test_schemas_are_valid_json_schema():
    """Each exported schema is itself valid Draft 2020-12."""
    for text in render().values():
        jsonschema.Draft202012Validator.check_schema(json.loads(text))
