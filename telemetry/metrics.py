"""The API's Prometheus metrics (prometheus-client, the process's default registry, served at `/metrics`).

Labels are bounded: a route is its template (`/v1/projects/{project_id}/hours`), never the path, and an
update is its method name, so no id or personal data becomes a label value.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
    "praxis_dependency_up", "1 if the dependency answered the last readiness check, else 0.", ["dependency"]
)
