"""Runs deploy/check.sh once per session and hands its rendered manifests to the tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
CHART = DEPLOY / "helm" / "newsflow"


@dataclass
class DeployCheck:
    output: str
    manifests: dict[str, list[dict[str, Any]]]
    notes: dict[str, str]

    def one(self, case: str, kind: str) -> dict[str, Any]:
        """The single manifest of `kind` in `case`."""
        (found,) = self.all(case, kind)
        return found

    def all(self, case: str, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.manifests[case] if m["kind"] == kind]


@pytest.fixture(scope="session")
def deploy_check(tmp_path_factory: pytest.TempPathFactory) -> DeployCheck:
    """The whole offline check (it builds .venv-deploy on first use); fails the test with its output."""
    out = tmp_path_factory.mktemp("deploy-check")
    proc = subprocess.run(
        ["bash", str(DEPLOY / "check.sh"), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    manifests = {p.stem: list(yaml.safe_load_all(p.read_text())) for p in out.glob("*.yaml")}
    notes = {p.name.removesuffix(".NOTES.txt"): p.read_text() for p in out.glob("*.NOTES.txt")}
    return DeployCheck(output, manifests, notes)
