"""The API's Prometheus metrics (prometheus-client, the process's default registry, served at `/metrics`).

Labels are bounded: a route is its template (`/v1/projects/{project_id}/hours`), never the path, and an
update is its method name, so no id or personal data becomes a label value.
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

# Set (by `praxis api --workers N`) when several server processes share one port: each writes its figures to
# files there and a scrape of any of them sums all (prometheus-client's multiprocess mode).
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

# Latency buckets for an HTTP action: an update round trip is ~0.1-2 s, a timeout 10 s (the update timeout).
SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)

REQUESTS = Counter(
    "praxis_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "praxis_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method.",
    ["route", "method"],
    buckets=SECONDS,
)
UPDATE_SECONDS = Histogram(
    "praxis_update_duration_seconds",
    "Round trip of one workflow update from the API (an action), by update and how it ended "
    "(accepted, refused, unavailable, error).",
    ["update", "outcome"],
    buckets=SECONDS,
)
PROBLEMS = Counter(
    "praxis_http_problems",
    "Problem answers (refusals and errors) by stable code and status; code UNAVAILABLE is the 503s.",
    ["code", "status"],
)
DEPENDENCY_UP = Gauge(
    "praxis_dependency_up",
    "1 if the dependency answered the last readiness check, else 0.",
    ["dependency"],
    multiprocess_mode="livemostrecent",
)


def metrics_registry() -> CollectorRegistry:
    """What `/metrics` serves: this process's figures, or every server process's in multiprocess mode."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY
