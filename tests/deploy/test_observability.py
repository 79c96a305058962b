"""Metrics wiring in deploy/ (issue 11 item 3): Prometheus scrapes the API and every worker where they serve,
Kubernetes' scrape annotations agree with the settings, and the Grafana dashboard asks only for metrics
Praxis exports (or the Temporal SDK's), from the provisioned data source."""

from __future__ import annotations

import json
import re
from typing import Any

from prometheus_client.metrics import MetricWrapperBase

from telemetry import course, metrics
from tests.deploy.conftest import DEPLOY, load_all_yaml, load_yaml

COMPOSE: dict[str, Any] = load_yaml(DEPLOY / "docker-compose.yml")
SCRAPES: dict[str, Any] = {
    job["job_name"]: job for job in load_yaml(DEPLOY / "prometheus/prometheus.yml")["scrape_configs"]
}
DASHBOARD: dict[str, Any] = json.loads((DEPLOY / "grafana/dashboards/praxis.json").read_text())
DATASOURCES = load_yaml(DEPLOY / "grafana/provisioning/datasources/prometheus.yml")["datasources"]


def _worker_metrics_port(address: str) -> int:
    return int(address.rpartition(":")[2])


def test_prometheus_scrapes_the_api_and_every_worker_replica() -> None:
    """The API on its container port 8000; each worker replica (DNS of the service) on the port of
    PRAXIS_WORKER_METRICS_ADDRESS that compose gives the workers."""
    assert SCRAPES["praxis-api"]["static_configs"] == [{"targets": ["api:8000"]}]
    assert SCRAPES["praxis-api"]["metrics_path"] == "/metrics"
    address = COMPOSE["services"]["worker"]["environment"]["PRAXIS_WORKER_METRICS_ADDRESS"]
    (dns,) = SCRAPES["praxis-worker"]["dns_sd_configs"]
    assert dns == {"names": ["worker"], "type": "A", "port": _worker_metrics_port(address)}
    prometheus = COMPOSE["services"]["prometheus"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]


def test_kubernetes_scrape_annotations_match_the_ports() -> None:
    """Pods are annotated for scraping on the port each serves metrics on."""
    config = next(d for d in load_all_yaml(DEPLOY / "k8s/configmap.yaml") if d["kind"] == "ConfigMap")["data"]
    for manifest, port in (
        ("api.yaml", 8000),
        ("worker.yaml", _worker_metrics_port(config["PRAXIS_WORKER_METRICS_ADDRESS"])),
    ):
        deployment = next(d for d in load_all_yaml(DEPLOY / "k8s" / manifest) if d["kind"] == "Deployment")
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(port)
        assert annotations["prometheus.io/path"] == "/metrics"


def _exported_names() -> set[str]:
    """Every series name the API's registry can expose, and the worker's course metrics."""
    names: set[str] = set()
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            base = metric._name
            names |= {base, f"{base}_total", f"{base}_bucket", f"{base}_count", f"{base}_sum"}
    names |= {course.NUDGES, course.MAILS, course.ACTIVITY_FAILURES, course.OUTBOX_DEPTH}
    return names


def test_dashboard_asks_only_for_exported_metrics_from_the_provisioned_source() -> None:
    """Each panel's query names Praxis metrics that exist (API or worker) or the SDK's `temporal_*`; each uses
    the data source Grafana is provisioned with; the course's and the SDK's figures are both there."""
    (source,) = DATASOURCES
    exported = _exported_names()
    used: set[str] = set()
    for panel in DASHBOARD["panels"]:
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        for target in panel["targets"]:
            used |= set(re.findall(r"\b((?:praxis|temporal)_[a-z_]+)\b", target["expr"]))
    praxis = {name for name in used if name.startswith("praxis_")}
    assert praxis <= exported, praxis - exported
    assert {course.NUDGES, course.MAILS, course.OUTBOX_DEPTH, course.ACTIVITY_FAILURES} <= praxis
    assert any(name.startswith("temporal_") for name in used)
    assert len({panel["id"] for panel in DASHBOARD["panels"]}) == len(DASHBOARD["panels"])
