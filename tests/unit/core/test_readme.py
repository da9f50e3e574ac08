"""The README's configuration table is generated from the settings model and must not drift."""

import re

from newsflow.cli import main
from newsflow.cli.settings_doc import splice
from tests.conftest import REPO


def test_settings_table_matches_model():
    """Regenerate with `newsflow settings-reference --readme README.md` after changing a setting."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert splice(readme) == readme


def _section(readme: str, title: str) -> str:
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_quick_start_make_targets_exist():
    """Every `make X` the Quick start tells a newcomer to type is a target of the Makefile."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    told = set(re.findall(r"^make (\w+)", _section(readme, "Quick start"), re.M))
    targets = set(re.findall(r"^([\w-]+):", (REPO / "Makefile").read_text(), re.M))
    assert {"run", "test"} <= told
    assert told <= targets, told - targets


def test_commands_table_lists_every_command():
    """The README's Commands table names exactly the commands `newsflow` has."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `newsflow ([\w-]+)", _section(readme, "Commands"), re.M))
    assert listed == set(main.commands)
