"""Helm chart: what the rendered manifests promise, checked against the settings model they feed."""

from __future__ import annotations

import json
import os
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from newsflow.config import Settings, SourceConfig, load_settings

from .conftest import CHART, REPO, DeployCheck

CASES = ("defaults", "ha", "sasl-ssl", "sasl-plain", "mtls")


def _container(check: DeployCheck, case: str) -> dict[str, Any]:
    return check.one(case, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def _env(check: DeployCheck, case: str) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in _container(check, case)["env"]}


def _settings(
    check: DeployCheck, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """What newsflow would read in the pod: the ConfigMap file plus the Deployment's env."""
    for key in [k for k in os.environ if k.startswith("NEWSFLOW_")]:
        monkeypatch.delenv(key)
    config = tmp_path / "newsflow.yaml"
    config.write_text(check.one(case, "ConfigMap")["data"]["newsflow.yaml"])
    for name, entry in _env(check, case).items():
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        monkeypatch.setenv(
            name, f"from-secret:{ref['name']}/{ref['key']}" if ref else entry["value"]
        )
    return load_settings(config)


def test_deploy_check_covers_every_case(deploy_check: DeployCheck) -> None:
    """check.sh linted, rendered and schema-checked every value combination and refused every bad value."""
    assert set(CASES) <= set(deploy_check.manifests)
    assert "bad values refused" in deploy_check.output
    assert "compose: deploy/compose.yaml matches" in deploy_check.output
    bad = len(list((REPO / "deploy" / "checks" / "bad-values").glob("*.yaml")))
    assert f"{bad}/{bad} bad values refused" in deploy_check.output


@pytest.mark.parametrize("case", CASES)
def test_pod_is_hardened(deploy_check: DeployCheck, case: str) -> None:
    """Non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, writable emptyDirs only."""
    pod = deploy_check.one(case, "Deployment")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert pod["automountServiceAccountToken"] is False
    volumes = {v["name"]: v for v in pod["volumes"]}
    writable = {
        m["mountPath"]: volumes[m["name"]]
        for m in container["volumeMounts"]
        if not m.get("readOnly")
    }
    assert set(writable) == {"/tmp", "/var/lib/newsflow"}
    assert all("emptyDir" in v for v in writable.values())


@pytest.mark.parametrize("case", CASES)
def test_probes_use_health_endpoints(deploy_check: DeployCheck, case: str) -> None:
    """Liveness is /healthz and readiness /readyz (false while the broker is unreachable)."""
    container = _container(deploy_check, case)
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    env = _env(deploy_check, case)
    assert env["NEWSFLOW_OBSERVABILITY__HTTP_HOST"]["value"] == "0.0.0.0"
    assert (
        int(env["NEWSFLOW_OBSERVABILITY__HTTP_PORT"]["value"])
        == container["ports"][0]["containerPort"]
    )


@pytest.mark.parametrize("case", CASES)
def test_grace_period_outlasts_kafka_flush(
    deploy_check: DeployCheck, case: str, tmp_path, monkeypatch
) -> None:
    """SIGKILL comes only after the producer's flush deadline has passed."""
    pod = deploy_check.one(case, "Deployment")["spec"]["template"]["spec"]
    settings = _settings(deploy_check, case, tmp_path, monkeypatch)
    assert pod["terminationGracePeriodSeconds"] > settings.kafka.flush_timeout


@pytest.mark.parametrize("case", CASES)
def test_rendered_config_is_valid_newsflow_config(
    deploy_check: DeployCheck, case: str, tmp_path, monkeypatch
) -> None:
    """The ConfigMap plus the Deployment's env load into Settings, with the chart's wiring in place."""
    settings = _settings(deploy_check, case, tmp_path, monkeypatch)
    assert settings.kafka.bootstrap_servers, "empty would start the embedded broker"
    assert str(settings.state_dir) == "/var/lib/newsflow"
    assert settings.observability.http_host == "0.0.0.0"
    assert settings.extract.workers >= 1


def test_sasl_ssl_wiring(deploy_check: DeployCheck, tmp_path, monkeypatch) -> None:
    """SASL_SSL: password and DSN come from Secrets by reference; the CA file is where the volume is mounted."""
    settings = _settings(deploy_check, "sasl-ssl", tmp_path, monkeypatch)
    kafka = settings.kafka
    assert (kafka.security_protocol, kafka.sasl_mechanism, kafka.sasl_username) == (
        "SASL_SSL",
        "SCRAM-SHA-512",
        "newsflow",
    )
    assert kafka.sasl_password.get_secret_value() == "from-secret:newsflow-kafka/password"
    assert settings.state_dsn.get_secret_value() == "from-secret:newsflow-postgres/dsn"
    container = _container(deploy_check, "sasl-ssl")
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert kafka.ssl_cafile.parent == Path(mounts["kafka-ca"])
    volumes = {
        v["name"]: v
        for v in deploy_check.one("sasl-ssl", "Deployment")["spec"]["template"]["spec"]["volumes"]
    }
    assert volumes["kafka-ca"]["secret"]["secretName"] == "kafka-cluster-ca"
    assert volumes["kafka-ca"]["secret"]["items"] == [
        {"key": "ca.crt", "path": kafka.ssl_cafile.name}
    ]
    configmap = deploy_check.one("sasl-ssl", "ConfigMap")["data"]["newsflow.yaml"]
    assert "sasl_password" not in configmap and "postgresql://" not in configmap


def test_sasl_plain_username_from_secret(deploy_check: DeployCheck, tmp_path, monkeypatch) -> None:
    """With usernameKey both SASL credentials come from the Secret; no CA file means the system CAs."""
    kafka = _settings(deploy_check, "sasl-plain", tmp_path, monkeypatch).kafka
    assert (kafka.security_protocol, kafka.sasl_mechanism) == ("SASL_SSL", "PLAIN")
    assert kafka.sasl_username == "from-secret:newsflow-kafka/username"
    assert kafka.ssl_cafile is None
    configmap = deploy_check.one("sasl-plain", "ConfigMap")["data"]["newsflow.yaml"]
    assert "sasl_username" not in configmap


def test_mutual_tls_wiring(deploy_check: DeployCheck, tmp_path, monkeypatch) -> None:
    """SSL with a client certificate: CA from a ConfigMap, cert and key from one Secret, key not world-readable."""
    kafka = _settings(deploy_check, "mtls", tmp_path, monkeypatch).kafka
    assert kafka.security_protocol == "SSL"
    assert str(kafka.ssl_cafile) == "/etc/newsflow-tls/ca/ca.pem"
    assert (str(kafka.ssl_certfile), str(kafka.ssl_keyfile)) == (
        "/etc/newsflow-tls/client/tls.crt",
        "/etc/newsflow-tls/client/tls.key",
    )
    pod = deploy_check.one("mtls", "Deployment")["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["kafka-ca"]["configMap"]["name"] == "kafka-ca-bundle"
    assert volumes["kafka-client-cert"]["secret"]["defaultMode"] & 0o007 == 0
    assert pod["containers"][0]["image"].endswith("@sha256:" + "0" * 64)


def test_defaults_run_the_daemon_alone_on_sqlite(deploy_check: DeployCheck) -> None:
    """Defaults: one replica, the daemon on the chart's config, no HPA/PDB/ServiceMonitor, a warning in NOTES."""
    deployment = deploy_check.one("defaults", "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert _container(deploy_check, "defaults")["args"] == [
        "run",
        "--config",
        "/etc/newsflow/newsflow.yaml",
    ]
    env = _env(deploy_check, "defaults")
    assert "NEWSFLOW_STATE_DSN" not in env
    # Every other subcommand run in the pod finds the same file without --config.
    assert env["NEWSFLOW_CONFIG"]["value"] == "/etc/newsflow/newsflow.yaml"
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor"):
        assert not deploy_check.all("defaults", kind)
    assert "SQLite" in deploy_check.notes["defaults"]
    assert "neither encrypted nor authenticated" in deploy_check.notes["defaults"]


def test_ha_adds_pdb_hpa_and_servicemonitor(deploy_check: DeployCheck) -> None:
    """HA values: the HPA owns the replica count, the PDB and ServiceMonitor select newsflow's pods and port."""
    deployment = deploy_check.one("ha", "Deployment")
    assert "replicas" not in deployment["spec"]
    hpa = deploy_check.one("ha", "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 8)
    assert {m["resource"]["name"] for m in hpa["spec"]["metrics"]} == {"cpu", "memory"}
    pdb = deploy_check.one("ha", "PodDisruptionBudget")
    assert pdb["spec"]["maxUnavailable"] == 1
    monitor = deploy_check.one("ha", "ServiceMonitor")
    service = deploy_check.one("ha", "Service")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    assert (
        _env(deploy_check, "ha")["NEWSFLOW_STATE_DSN"]["valueFrom"]["secretKeyRef"]["name"]
        == "newsflow-postgres"
    )


def test_config_checksum_follows_config(deploy_check: DeployCheck) -> None:
    """Different configs give different checksum/config annotations, so pods roll on a config change."""
    sums = {
        case: deploy_check.one(case, "Deployment")["spec"]["template"]["metadata"]["annotations"][
            "checksum/config"
        ]
        for case in CASES
    }
    assert len(set(sums.values())) == len(CASES)


def test_app_version_is_package_version() -> None:
    """The default image tag (appVersion) is the version pyproject.toml builds."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["appVersion"] == project["version"]


def test_schema_accepts_defaults_and_ci_values() -> None:
    """values.yaml and each ci/*-values.yaml (over the defaults) satisfy values.schema.json."""
    schema = json.loads((CHART / "values.schema.json").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    jsonschema.validate(defaults, schema)
    for path in sorted((CHART / "ci").glob("*-values.yaml")):
        jsonschema.validate(_merge(defaults, yaml.safe_load(path.read_text())), schema)


def test_schema_source_matches_settings_model() -> None:
    """The chart's source schema has SourceConfig's fields and kinds, so it cannot drift from the daemon."""
    source = json.loads((CHART / "values.schema.json").read_text())["definitions"]["source"]
    assert set(source["properties"]) == set(SourceConfig.model_fields)
    assert set(source["required"]) == {
        n for n, f in SourceConfig.model_fields.items() if f.is_required()
    }
    kinds = typing.get_args(SourceConfig.model_fields["kind"].annotation)
    assert source["properties"]["kind"]["enum"] == list(kinds)


def test_schema_security_protocols_match_settings_model() -> None:
    """The chart offers exactly the Kafka security protocols and SASL mechanisms KafkaSettings accepts."""
    from newsflow.config import KafkaSettings

    kafka = json.loads((CHART / "values.schema.json").read_text())["properties"]["kafka"][
        "properties"
    ]
    protocols = typing.get_args(KafkaSettings.model_fields["security_protocol"].annotation)
    assert kafka["securityProtocol"]["enum"] == list(protocols)
    mechanism = KafkaSettings.model_fields["sasl_mechanism"].annotation
    mechanisms = [a for arg in typing.get_args(mechanism) for a in typing.get_args(arg)]
    assert kafka["sasl"]["properties"]["mechanism"]["enum"] == ["", *mechanisms]


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def test_schema_config_sections_match_settings_model() -> None:
    """The chart accepts exactly the top-level sections of Settings under `config`."""
    config = json.loads((CHART / "values.schema.json").read_text())["properties"]["config"]
    assert set(config["propertyNames"]["enum"]) == set(Settings.model_fields)
