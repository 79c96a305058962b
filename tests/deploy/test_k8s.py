"""deploy/k8s (deploy item 6): manifests valid against Kubernetes' schemas (kubernetes-validate, strict,
offline), held to the restricted pod security standard, and consistent with the Temporal chart's values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import DEPLOY, KNOWN_SETTINGS, load_all_yaml, load_yaml, run, tool

K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.31.0"
NOT_RESOURCES = {"kustomization.yaml", "temporal-values.yaml"}
MANIFESTS = sorted(path.name for path in K8S.glob("*.yaml") if path.name not in NOT_RESOURCES)
CONFIG: dict[str, str] = load_yaml(K8S / "configmap.yaml")["data"]
VALUES: dict[str, Any] = load_yaml(K8S / "temporal-values.yaml")


def _resources() -> list[dict[str, Any]]:
    return [doc for name in MANIFESTS for doc in load_all_yaml(K8S / name)]


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (doc["metadata"]["name"], doc["spec"]["template"]["spec"])
        for doc in _resources()
        if doc["kind"] in ("Deployment", "Job")
    ]


def _named(kind: str, name: str) -> dict[str, Any]:
    return next(doc for doc in _resources() if doc["kind"] == kind and doc["metadata"]["name"] == name)


@pytest.mark.parametrize("manifest", MANIFESTS)
def test_manifest_is_valid_against_the_kubernetes_schema(manifest: str) -> None:
    """kubernetes-validate --strict (schemas bundled in the package) rejects unknown and mistyped fields."""
    done = run(tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, str(K8S / manifest))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validator_would_catch_a_misspelled_probe(tmp_path: Path) -> None:
    """Strict validation is not a rubber stamp: `readynessProbe` fails it."""
    broken = tmp_path / "api.yaml"
    broken.write_text((K8S / "api.yaml").read_text().replace("readinessProbe:", "readynessProbe:"))
    done = run(tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, str(broken))
    assert done.returncode != 0


def test_kustomization_applies_every_manifest_but_the_secret_template() -> None:
    """`kubectl apply -k deploy/k8s` creates everything except the Secret, whose template holds placeholders."""
    kustomization = load_yaml(K8S / "kustomization.yaml")
    assert kustomization["namespace"] == "praxis"
    assert sorted(kustomization["resources"]) == sorted(set(MANIFESTS) - {"secret.example.yaml"})


def test_pods_meet_the_restricted_pod_security_standard() -> None:
    """The namespace enforces `restricted`: non-root, no privilege escalation, no capabilities, seccomp,
    and (ours) a read-only root file system with writable scratch volumes only."""
    assert load_yaml(K8S / "namespace.yaml")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name, spec in _pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert security["readOnlyRootFilesystem"] is True, name
            assert container["resources"]["limits"]["memory"], name


def test_worker_runs_two_replicas_with_metrics_and_a_polling_probe() -> None:
    """Two workers, the metrics port of PRAXIS_WORKER_METRICS_ADDRESS, probes by `praxis health worker`."""
    worker = _named("Deployment", "praxis-worker")
    assert worker["spec"]["replicas"] == 2
    container = worker["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["praxis", "worker"]
    metrics_port = int(CONFIG["PRAXIS_WORKER_METRICS_ADDRESS"].rsplit(":", 1)[1])
    assert container["ports"] == [{"name": "metrics", "containerPort": metrics_port}]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["exec"]["command"] == ["praxis", "health", "worker"]


def test_api_is_ready_by_readyz_alive_by_healthz_behind_a_service() -> None:
    """Readiness asks /readyz (dependencies), liveness /healthz (the process); the Service targets the port."""
    container = _named("Deployment", "praxis-api")["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    service = _named("Service", "praxis-api")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "praxis-api"}


def test_praxis_pods_read_only_known_settings() -> None:
    """The ConfigMap and the Secret template name only real settings, production mode and S3 blobs."""
    secret = load_yaml(K8S / "secret.example.yaml")["stringData"]
    assert set(CONFIG) <= KNOWN_SETTINGS, set(CONFIG) - KNOWN_SETTINGS
    assert set(secret) <= KNOWN_SETTINGS, set(secret) - KNOWN_SETTINGS
    assert not set(CONFIG) & set(secret)
    assert CONFIG["PRAXIS_ENV"] == "production"
    assert CONFIG["PRAXIS_BLOB_BACKEND"] == "s3"
    assert {"PRAXIS_DATABASE_URL", "PRAXIS_JWT_SECRET", "PRAXIS_ACTION_LINK_SECRET", "PRAXIS_PAYLOAD_KEYS"} <= set(
        secret
    )
    for name, spec in _pod_specs():
        if name in ("praxis-worker", "praxis-api", "praxis-migrate"):
            sources = spec["containers"][0]["envFrom"]
            assert sources == [{"configMapRef": {"name": "praxis-config"}}, {"secretRef": {"name": "praxis-secrets"}}]


def test_chart_values_match_the_praxis_settings() -> None:
    """External PostgreSQL (password from a Secret), the Praxis namespace with the configured retention,
    and the UI's codec endpoint at the API's public URL, whose CORS list holds an https origin."""
    persistence = VALUES["server"]["config"]["persistence"]
    for store, database in (("default", "temporal"), ("visibility", "temporal_visibility")):
        sql = persistence["datastores"][store]["sql"]
        assert (sql["pluginName"], sql["databaseName"], sql["existingSecret"]) == (
            "postgres12",
            database,
            "temporal-db",
        )
        assert "password" not in sql
    namespaces = VALUES["server"]["config"]["namespaces"]
    assert namespaces["namespace"] == [
        {"name": CONFIG["PRAXIS_TEMPORAL_NAMESPACE"], "retention": f"{CONFIG['PRAXIS_TEMPORAL_RETENTION_DAYS']}d"}
    ]
    web_env = {entry["name"]: entry["value"] for entry in VALUES["web"]["additionalEnv"]}
    assert web_env["TEMPORAL_CODEC_ENDPOINT"] == f"{CONFIG['PRAXIS_PUBLIC_URL']}/codec"
    assert web_env["TEMPORAL_DEFAULT_NAMESPACE"] == CONFIG["PRAXIS_TEMPORAL_NAMESPACE"]
    origins = json.loads(CONFIG["PRAXIS_CODEC_CORS_ORIGINS"])
    assert origins and all(origin.startswith("https://") for origin in origins)
    assert CONFIG["PRAXIS_TEMPORAL_ADDRESS"].startswith("temporal-frontend.")


def test_setup_job_runs_the_same_script_as_compose() -> None:
    """The Job's ConfigMap holds deploy/temporal/setup.sh byte for byte; the Job reads the Praxis settings."""
    config_map, job = load_all_yaml(K8S / "temporal-setup.yaml")
    assert config_map["data"]["setup.sh"] == (DEPLOY / "temporal" / "setup.sh").read_text(encoding="utf-8"), (
        "copy deploy/temporal/setup.sh into deploy/k8s/temporal-setup.yaml (data.setup.sh)"
    )
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].startswith("temporalio/admin-tools:")
    keys = {
        entry["name"]: entry["valueFrom"]["configMapKeyRef"]["key"]
        for entry in container["env"]
        if "valueFrom" in entry
    }
    assert keys == {
        "TEMPORAL_ADDRESS": "PRAXIS_TEMPORAL_ADDRESS",
        "PRAXIS_TEMPORAL_NAMESPACE": "PRAXIS_TEMPORAL_NAMESPACE",
        "PRAXIS_TEMPORAL_RETENTION_DAYS": "PRAXIS_TEMPORAL_RETENTION_DAYS",
    }
