"""`GET /metrics` on the API (issue 11 item 3): requests by route template and status, their latency, update
latency by how it ended, problems by code (the 503s among them), from prometheus-client."""

from __future__ import annotations

import httpx

from tests.api.portal import Portal
from tests.support.prometheus import sample


async def scrape(http: httpx.AsyncClient) -> str:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_updates_and_refusals_are_counted(portal: Portal, http: httpx.AsyncClient) -> None:
    """An approval counts one request on its route template with status 200 and one accepted `review` update;
    a refused one (already approved: INVALID_STAGE) one refused update and one INVALID_STAGE problem; a
    stranger's read one NOT_FOUND. No project id appears in any label."""
    student = await portal.add_student()
    project = await portal.submit(student)
    route = "/v1/projects/{project_id}/review"
    before = await scrape(http)
    await portal.approve(project["id"])
    again = await http.post(
        f"/v1/projects/{project['id']}/review", json={"decision": "approve", "comment": ""}, headers=portal.center
    )
    assert again.status_code == 409
    missing = await http.get("/v1/projects/nosuchproject", headers=portal.student(student))
    assert missing.status_code == 404
    after = await scrape(http)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("praxis_http_requests_total", route=route, method="POST", status="200") == 1
    assert delta("praxis_http_requests_total", route=route, method="POST", status="409") == 1
    assert delta("praxis_http_request_duration_seconds_count", route=route, method="POST") == 2
    assert delta("praxis_update_duration_seconds_count", update="review", outcome="accepted") == 1
    assert delta("praxis_update_duration_seconds_count", update="review", outcome="refused") == 1
    assert delta("praxis_http_problems_total", code="INVALID_STAGE", status="409") == 1
    assert delta("praxis_http_problems_total", code="NOT_FOUND", status="404") == 1
    assert project["id"] not in after


async def test_readiness_is_a_gauge_per_dependency(http: httpx.AsyncClient) -> None:
    """Each /readyz sets `praxis_dependency_up` for each dependency (1 up, 0 down)."""
    assert (await http.get("/readyz")).status_code == 200
    text = await scrape(http)
    for dependency in ("temporal", "database", "object_store", "smtp"):
        assert sample(text, "praxis_dependency_up", dependency=dependency) == 1
