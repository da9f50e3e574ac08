"""Dockerfile: the properties a linter would check, read from the file (no Docker engine here)."""

from __future__ import annotations

import json
import re
import shlex
import tomllib

import pytest
import setuptools

from newsflow.config import EventSettings

from .conftest import DEPLOY, REPO

DOCKERFILE = DEPLOY / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines = [ln for ln in DOCKERFILE.read_text().splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for ins in _instructions():
        if ins[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(ins)
    return stages


def _args() -> dict[str, str]:
    return dict(a.split("=", 1) for i, a in _instructions() if i == "ARG" and "=" in a)


def test_multi_stage_on_a_pinned_slim_python() -> None:
    """Build and runtime are separate stages on a slim Python 3.11 base pinned to a patch release."""
    stages = _stages()
    assert len(stages) >= 2
    base = _args()["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base
    assert all(s[0][1].split()[0] == "${PYTHON_IMAGE}" for s in stages)
    runtime = stages[-1]
    assert any(i == "COPY" and a.startswith("--from=build") for i, a in runtime)
    assert not any(i == "RUN" and "pip install" in a for i, a in runtime), (
        "installs belong in the build stage"
    )


def test_runs_as_a_non_root_numeric_user() -> None:
    """The final USER is a numeric, non-zero uid, so runAsNonRoot can verify it."""
    users = [a for i, a in _stages()[-1] if i == "USER"]
    assert users, "no USER in the runtime stage"
    uid = users[-1].split(":")[0]
    uid = _args().get(uid.strip("${}"), uid)
    assert uid.isdigit() and int(uid) != 0


def test_dependencies_install_from_the_hashed_lock() -> None:
    """Dependencies come only from requirements.lock with hashes; newsflow itself adds none."""
    runs = [a for i, a in _stages()[0] if i == "RUN"]
    lock_installs = [r for r in runs if "-r requirements.lock" in r]
    assert lock_installs and all("--require-hashes" in r for r in lock_installs)
    # Wheels only: no sdist's build code runs, no compiler is needed.
    assert all("--only-binary=:all:" in r for r in lock_installs)
    own = [r for r in runs if re.search(r"pip install [^&]*\s\.(\s|$)", r)]
    assert own and all("--no-deps" in r for r in own)
    assert not [r for r in runs if "pip install" in r and r not in lock_installs + own]


def test_spacy_model_is_baked_in() -> None:
    """The model the settings name by default is in the lock, so the image needs no download to start."""
    lock = (REPO / "requirements.lock").read_text()
    model = EventSettings().spacy_model.replace("_", "-")
    assert re.search(rf"^{re.escape(model)}==[\w.]+ \\\n\s+--hash=sha256:", lock, re.M)
    assert any(EventSettings().spacy_model in a for i, a in _stages()[0] if i == "RUN"), (
        "build stage loads the model"
    )


def test_healthcheck_probes_healthz_without_curl() -> None:
    """HEALTHCHECK fetches /healthz with the image's own Python."""
    (check,) = [a for i, a in _instructions() if i == "HEALTHCHECK"]
    command = json.loads(check.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2] and "urllib.request" in command[2]
    assert "curl" not in check and "wget" not in check


def test_entrypoint_serves_every_subcommand() -> None:
    """ENTRYPOINT is the newsflow CLI and the default command runs the daemon on the mounted config."""
    instructions = dict(_instructions())
    assert json.loads(instructions["ENTRYPOINT"]) == ["newsflow"]
    assert json.loads(instructions["CMD"]) == ["run", "--config", "/etc/newsflow/newsflow.yaml"]
    assert instructions["EXPOSE"] == "9464"


@pytest.mark.parametrize(
    "path", ["requirements.lock", "pyproject.toml", "README.md", "services/newsflow"]
)
def test_dockerignore_admits_what_the_build_copies(path: str) -> None:
    """The .dockerignore allow-list lets through each file the build stage copies."""
    patterns = [
        ln.strip()
        for ln in (REPO / ".dockerignore").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert patterns[0] == "*"
    assert f"!{path}" in patterns or f"!{path}/" in patterns
    copied = {src for i, a in _stages()[0] if i == "COPY" for src in shlex.split(a)[:-1]}
    assert path in copied


def test_the_image_carries_the_runtime_package_only() -> None:
    """The build copies services/newsflow and the wheel packs newsflow, never newsflow_tools."""
    copied = {src for i, a in _stages()[0] if i == "COPY" for src in shlex.split(a)[:-1]}
    assert {src for src in copied if src.startswith("services")} == {"services/newsflow"}
    find = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    packages = setuptools.find_packages(str(REPO / "services"), include=find["find"]["include"])
    assert "newsflow.pipeline" in packages
    assert not [p for p in packages if not p.startswith("newsflow.") and p != "newsflow"]
