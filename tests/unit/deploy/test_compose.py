"""Compose stack: pinned images, health-gated start-up, two replicas on shared state, a valid sample config."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsflow.config import load_settings

from .conftest import DEPLOY, REPO, DeployCheck

COMPOSE = DEPLOY / "compose.yaml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _interpolate(value: str) -> str:
    """Compose's ${VAR:-default} with the defaults (the variables are unset in a fresh checkout)."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_every_image_is_pinned(compose: dict[str, Any]) -> None:
    """Third-party images carry an explicit version tag, never latest or a moving branch."""
    for name, service in compose["services"].items():
        if "build" in service:
            continue
        image = service["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and re.match(r"^v?\d+\.\d+(\.\d+)?", tag), f"{name}: {image} is not pinned"


def test_kafka_runs_kraft_with_a_health_check(compose: dict[str, Any]) -> None:
    """One apache/kafka node is broker and controller (no ZooKeeper) and reports health."""
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert "healthcheck" in kafka
    # Single broker: internal topics must not ask for more replicas than exist.
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == 1


def test_postgres_keeps_data_and_reports_health(compose: dict[str, Any]) -> None:
    """PostgreSQL stores its data in a named volume and has a pg_isready health check."""
    postgres = compose["services"]["postgres"]
    assert any(v.split(":")[0] in compose["volumes"] for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_newsflow_waits_for_healthy_dependencies(compose: dict[str, Any]) -> None:
    """Two newsflow replicas start only after Kafka and PostgreSQL are healthy."""
    newsflow = compose["services"]["newsflow"]
    assert newsflow["deploy"]["replicas"] == 2
    assert newsflow["depends_on"] == {
        "kafka": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    assert newsflow["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / newsflow["build"]["context"] / newsflow["build"]["dockerfile"]).resolve() == (
        DEPLOY / "Dockerfile"
    ).resolve()


def test_newsflow_is_hardened_like_the_chart(compose: dict[str, Any]) -> None:
    """Read-only root with tmpfs for /tmp and the state dir, no capabilities, a grace period above the flush."""
    newsflow = compose["services"]["newsflow"]
    assert newsflow["read_only"] is True
    assert set(newsflow["tmpfs"]) == {"/tmp", newsflow["environment"]["NEWSFLOW_STATE_DIR"]}
    assert newsflow["cap_drop"] == ["ALL"]
    assert newsflow["init"] is True
    grace = int(newsflow["stop_grace_period"].removesuffix("s"))
    assert grace > load_settings(None).kafka.flush_timeout


def test_sample_config_is_mounted_and_valid(compose: dict[str, Any], tmp_path, monkeypatch) -> None:
    """The mounted deploy/compose/newsflow.yaml plus the service's env is a valid config using PostgreSQL."""
    newsflow = compose["services"]["newsflow"]
    host, container = next(
        (v.split(":")[0], v.split(":")[1]) for v in newsflow["volumes"] if "newsflow.yaml" in v
    )
    assert container == "/etc/newsflow/newsflow.yaml"
    assert newsflow["command"][-1] == container == newsflow["environment"]["NEWSFLOW_CONFIG"]
    for key in [k for k in os.environ if k.startswith("NEWSFLOW_")]:
        monkeypatch.delenv(key)
    for key, value in newsflow["environment"].items():
        monkeypatch.setenv(key, _interpolate(str(value)))
    settings = load_settings(DEPLOY / host)
    assert len(settings.sources) >= 2
    assert settings.kafka.bootstrap_servers == ["kafka:9092"]
    assert settings.state_dsn.get_secret_value().startswith(
        "postgresql://newsflow:newsflow@postgres:5432/"
    )
    assert settings.observability.http_host == "0.0.0.0"
    assert settings.extract.workers == int(float(newsflow["deploy"]["resources"]["limits"]["cpus"]))


def test_kafka_ui_is_optional(compose: dict[str, Any]) -> None:
    """The Kafka web UI only starts with --profile ui."""
    ui = compose["services"]["kafka-ui"]
    assert ui["profiles"] == ["ui"]
    assert ui["environment"]["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == "kafka:9092"
    assert all("profiles" not in s for n, s in compose["services"].items() if n != "kafka-ui")


def test_compose_schema_rejects_a_bad_file(deploy_check: DeployCheck, tmp_path: Path) -> None:
    """The compose-spec check in check.sh fails on a typo'd key and on an unknown depends_on condition."""
    bad = yaml.safe_load(COMPOSE.read_text())
    bad["services"]["newsflow"]["replica"] = 2
    bad["services"]["newsflow"]["depends_on"]["kafka"]["condition"] = "service_ready"
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(bad))
    proc = subprocess.run(
        [
            str(REPO / ".venv-deploy" / "bin" / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "'service_ready' is not one of" in output
