"""Offline checks of the Helm chart: lint, render, Kubernetes schemas, bad values, cross-references.

Runs in .venv-deploy (see deploy/check.sh); needs no cluster and no network. Exits non-zero
with one line per problem. The rendered manifests of each case are written to --out, where
tests/unit/deploy reads them.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "newsflow"
BAD_VALUES = ROOT / "deploy" / "checks" / "bad-values"
RELEASE, NAMESPACE = "newsflow", "news"
# The chart's kubeVersion floor and the newest schemas kubernetes-validate ships.
KUBE_VERSIONS = ("1.25.0", "1.37.0")
# Custom resources have no schema in kubernetes-validate; check_servicemonitor covers them.
CRD_GROUPS = ("monitoring.coreos.com/",)


def cases() -> dict[str, dict[str, Any]]:
    """The value combinations: chart defaults plus every ci/*-values.yaml."""
    found = {"defaults": {}}
    for path in sorted((CHART / "ci").glob("*-values.yaml")):
        found[path.name.removesuffix("-values.yaml")] = yaml.safe_load(path.read_text()) or {}
    return found


def lint(values: dict[str, Any], kube_version: str) -> list[str]:
    """helm lint --strict; info-level findings (e.g. 'icon is recommended') are not problems."""
    report = helm.lint(CHART, values, strict=True, kube_version=f"v{kube_version}")
    problems = [f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= 2]
    return problems + list(report["errors"])


def render(
    chart: helm.Chart, values: dict[str, Any]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """helm template: the raw files by template path, and the parsed manifests in order."""
    chart.validate_schema(values)
    files = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    docs = []
    for name in sorted(files):
        if not name.endswith(".yaml"):
            continue
        docs.extend(d for d in yaml.safe_load_all(files[name]) if d)
    return files, docs


def validate_manifests(docs: list[dict[str, Any]]) -> list[str]:
    """Every non-CRD manifest against the strict schemas of each Kubernetes version."""
    problems = []
    for doc in docs:
        if doc["apiVersion"].startswith(CRD_GROUPS):
            continue
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                where = "/".join(str(p) for p in exc.path)
                problems.append(
                    f"{doc['kind']}/{doc['metadata']['name']} k8s {version}: {where}: {exc.message}"
                )
            except kubernetes_validate.SchemaNotFoundError as exc:
                problems.append(exc.message)
    return problems


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def check_references(files: dict[str, str], docs: list[dict[str, Any]]) -> list[str]:
    """What the schemas cannot see: selectors, named ports, the config checksum, the CRD shape."""
    problems = []
    (deploy,) = by_kind(docs, "Deployment")
    (service,) = by_kind(docs, "Service")
    pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
    if not _subset(deploy["spec"]["selector"]["matchLabels"], pod_labels):
        problems.append("Deployment selector does not match its pod labels")
    if not _subset(service["spec"]["selector"], pod_labels):
        problems.append("Service selector does not match the pod labels")
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    port_names = {p["name"] for p in container["ports"]}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        port = container.get(probe, {}).get("httpGet", {}).get("port")
        if port is not None and port not in port_names:
            problems.append(f"{probe} uses port {port!r}, not a container port")
    for port in service["spec"]["ports"]:
        if port["targetPort"] not in port_names:
            problems.append(f"Service targetPort {port['targetPort']!r} is not a container port")
    configmap = files["newsflow/templates/configmap.yaml"]
    want = hashlib.sha256(configmap.encode()).hexdigest()
    if deploy["spec"]["template"]["metadata"]["annotations"].get("checksum/config") != want:
        problems.append("checksum/config is not the sha256 of the rendered ConfigMap")
    mounts = {m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"] for v in deploy["spec"]["template"]["spec"]["volumes"]}
    if mounts - volumes:
        problems.append(f"volumeMounts without a volume: {sorted(mounts - volumes)}")
    for hpa in by_kind(docs, "HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"]["name"] != deploy["metadata"]["name"]:
            problems.append("HPA targets another Deployment")
        if "replicas" in deploy["spec"]:
            problems.append("Deployment sets replicas while an HPA owns the count")
    for pdb in by_kind(docs, "PodDisruptionBudget"):
        if not _subset(pdb["spec"]["selector"]["matchLabels"], pod_labels):
            problems.append("PodDisruptionBudget selects no newsflow pod")
    for monitor in by_kind(docs, "ServiceMonitor"):
        problems += check_servicemonitor(monitor, service)
    return problems


def check_servicemonitor(monitor: dict[str, Any], service: dict[str, Any]) -> list[str]:
    """The fields of monitoring.coreos.com/v1 ServiceMonitor that the chart sets, and what they point at."""
    problems = []
    if monitor["apiVersion"] != "monitoring.coreos.com/v1":
        problems.append(f"ServiceMonitor apiVersion {monitor['apiVersion']}")
    spec = monitor.get("spec", {})
    unknown = set(spec) - {"endpoints", "namespaceSelector", "selector", "jobLabel", "targetLabels"}
    if unknown:
        problems.append(f"ServiceMonitor spec has unknown fields {sorted(unknown)}")
    service_ports = {p["name"] for p in service["spec"]["ports"]}
    for endpoint in spec.get("endpoints", []):
        if endpoint.get("port") not in service_ports:
            problems.append(f"ServiceMonitor port {endpoint.get('port')!r} is not a Service port")
        if endpoint.get("path") != "/metrics":
            problems.append("ServiceMonitor path is not /metrics")
    if not spec.get("endpoints"):
        problems.append("ServiceMonitor has no endpoints")
    if not _subset(spec.get("selector", {}).get("matchLabels", {}), service["metadata"]["labels"]):
        problems.append("ServiceMonitor selector does not match the Service labels")
    if spec.get("namespaceSelector", {}).get("matchNames") != [service["metadata"]["namespace"]]:
        problems.append("ServiceMonitor namespaceSelector is not the Service's namespace")
    return problems


def check_bad_values(chart: helm.Chart) -> tuple[int, list[str]]:
    """Each bad-values file must be refused, by the schema or the templates, with its expected message."""
    problems, count = [], 0
    for path in sorted(BAD_VALUES.glob("*.yaml")):
        count += 1
        text = path.read_text()
        expect = text.splitlines()[0].removeprefix("# expect:").strip()
        try:
            render(chart, yaml.safe_load(text) or {})
        except helm.HelmError as exc:
            if expect not in str(exc):
                problems.append(f"{path.name}: refused, but not for {expect!r}: {exc}")
            continue
        problems.append(f"{path.name}: accepted; expected a failure mentioning {expect!r}")
    return count, problems


def _subset(small: dict[str, str], big: dict[str, str]) -> bool:
    return bool(small) and all(big.get(k) == v for k, v in small.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "deploy-check")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    started = time.monotonic()
    with helm.Chart.load(CHART) as chart:
        for case, values in cases().items():
            found = [f"lint: {p}" for p in lint(values, KUBE_VERSIONS[0])]
            try:
                files, docs = render(chart, values)
            except helm.HelmError as exc:
                problems.append(f"[{case}] render: {exc}")
                continue
            found += validate_manifests(docs) + check_references(files, docs)
            (args.out / f"{case}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
            (args.out / f"{case}.NOTES.txt").write_text(files["newsflow/templates/NOTES.txt"])
            problems += [f"[{case}] {p}" for p in found]
            kinds = ", ".join(sorted({d["kind"] for d in docs}))
            print(
                f"chart [{case}]: lint, render, k8s {'+'.join(KUBE_VERSIONS)}: {len(docs)} manifests ({kinds})"
            )
        count, bad = check_bad_values(chart)
        problems += bad
        print(f"chart: {count - len(bad)}/{count} bad values refused")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    print(f"chart: {'FAILED' if problems else 'ok'} in {time.monotonic() - started:.1f}s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
