"""The README's configuration table is generated from the settings model and must not drift."""

from newsflow.cli.settings_doc import splice
from tests.conftest import REPO


def test_settings_table_matches_model():
    """Regenerate with `newsflow settings-reference --readme README.md` after changing a setting."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert splice(readme) == readme


def test_readme_carries_the_two_commands():
    """A fresh clone is set up by `make run` and `make test`, and the README says so."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
