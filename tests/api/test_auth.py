"""Who may call what (SPEC §4, issue 3 "Auth and roles"): 401 without a valid token, 403 for the wrong role,
404 for a project the caller may not know exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from api.main import create_app
from config.settings import Settings
from domain.vocabulary import Role
from tests.api.portal import Portal, unique


def _problem(response_json: dict[str, object], code: str, status: int) -> None:
    assert response_json["code"] == code
    assert response_json["status"] == status
    assert response_json["type"] == f"urn:praxis:problem:{code}"
    assert response_json["title"] and response_json["detail"]


async def test_healthz_answers_without_a_token(portal: Portal) -> None:
    """GET /healthz is for anyone: liveness only."""
    response = await portal.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_no_token_is_401_with_a_bearer_challenge(portal: Portal) -> None:
    """A call without `Authorization: Bearer` is 401 UNAUTHENTICATED, as problem+json with WWW-Authenticate."""
    response = await portal.http.get("/v1/projects")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    _problem(response.json(), "UNAUTHENTICATED", 401)


async def test_other_schemes_and_garbage_tokens_are_401(portal: Portal) -> None:
    """Basic auth and a token that is not a JWT are refused like a missing token."""
    for header in ("Basic dXNlcjpwYXNz", "Bearer not-a-jwt"):
        response = await portal.http.get("/v1/projects", headers={"Authorization": header})
        assert response.status_code == 401, header
        _problem(response.json(), "UNAUTHENTICATED", 401)


async def test_expired_token_is_401(portal: Portal, settings: Settings) -> None:
    """A token past its `exp` is refused, and the detail says it expired."""
    past = datetime.now(UTC) - timedelta(minutes=5)
    token = jwt.encode(
        {"sub": "B1", "role": "student", "exp": past}, settings.jwt_secret.get_secret_value(), algorithm="HS256"
    )
    response = await portal.http.get("/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    _problem(response.json(), "UNAUTHENTICATED", 401)
    assert "expired" in response.json()["detail"]


async def test_token_signed_with_another_secret_is_401(portal: Portal) -> None:
    """A forged signature is refused (HS256 with the settings' secret only)."""
    future = datetime.now(UTC) + timedelta(hours=1)
    token = jwt.encode({"sub": "cge-1", "role": "center", "exp": future}, "x" * 40, algorithm="HS256")
    response = await portal.http.get("/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.STUDENT, "PUT", "/v1/faculty/T1"),
        (Role.FACULTY, "PUT", "/v1/semesters/2026-fall"),
        (Role.OSA, "POST", "/v1/projects"),
        (Role.CENTER, "POST", "/v1/projects/0123456789abcdef/hours"),
        (Role.STUDENT, "POST", "/v1/projects/0123456789abcdef/review"),
        (Role.FACULTY, "POST", "/v1/projects/0123456789abcdef/hours/e1/verification"),
        (Role.STUDENT, "POST", "/v1/projects/0123456789abcdef/evaluation"),
        (Role.OPERATOR, "GET", "/v1/projects"),
    ],
)
async def test_wrong_role_is_403_before_anything_else(portal: Portal, role: Role, method: str, path: str) -> None:
    """Each route admits its SPEC §4 roles only: anyone else is 403 FORBIDDEN, before the body is judged."""
    response = await portal.http.request(method, path, json={}, headers=portal.auth(role, "someone"))
    assert response.status_code == 403, response.text
    _problem(response.json(), "FORBIDDEN", 403)


async def test_another_students_project_is_404(portal: Portal) -> None:
    """A student cannot learn that another student's project exists: reading or acting on it is 404."""
    project_id, _owner = await portal.approved()
    stranger = portal.student(unique("B"))
    read = await portal.http.get(f"/v1/projects/{project_id}", headers=stranger)
    assert read.status_code == 404
    _problem(read.json(), "NOT_FOUND", 404)
    body = {"date": "2026-03-02", "hours": 2, "kind": "execution", "description": "Reading session"}
    act = await portal.http.post(f"/v1/projects/{project_id}/hours", json=body, headers=stranger)
    assert act.status_code == 404
    withdraw = await portal.http.post(f"/v1/projects/{project_id}/withdrawal", headers=stranger)
    assert withdraw.status_code == 404
    assert (await portal.view(project_id))["stage"] == "NEEDS_SUPERVISOR"


async def test_unknown_project_is_404(portal: Portal) -> None:
    """A project id no workflow has is NOT_FOUND, for the center too."""
    response = await portal.http.get("/v1/projects/ffffffffffffffff", headers=portal.center)
    assert response.status_code == 404
    _problem(response.json(), "NOT_FOUND", 404)


async def test_faculty_sees_projects_they_are_invited_to_or_supervise_only(portal: Portal) -> None:
    """Faculty may read a project once invited to it and while supervising it; other teachers get 404."""
    project_id, student_id = await portal.approved()
    invited, other = await portal.add_faculty(), await portal.add_faculty()
    assert (
        await portal.http.get(f"/v1/projects/{project_id}", headers=portal.faculty(invited["id"]))
    ).status_code == 404
    await portal.invite(project_id, student_id, invited)
    await portal.view(project_id, portal.faculty(invited["id"]))
    await portal.accept(project_id, invited["id"])
    view = await portal.view(project_id, portal.faculty(invited["id"]))
    assert view["supervisor"]["faculty"]["id"] == invited["id"]
    response = await portal.http.get(f"/v1/projects/{project_id}", headers=portal.faculty(other["id"]))
    assert response.status_code == 404


async def test_the_center_reads_every_project_and_osa_none(portal: Portal) -> None:
    """The center reads all projects; OSA reads none (SPEC §4: reads are for the owner, the supervisor and
    the center), it verifies club hours from the links mailed to it: 403 FORBIDDEN."""
    project_id, _student = await portal.approved()
    assert (await portal.view(project_id, portal.center))["id"] == project_id
    refused = await portal.http.get(f"/v1/projects/{project_id}", headers=portal.osa)
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")


def test_app_refuses_the_placeholder_secret_outside_dev(settings: Settings) -> None:
    """Outside dev and test the app will not start with the placeholder JWT secret, even from settings
    that skipped validation; Settings itself refuses it in production."""
    unvalidated = settings.model_copy(update={"env": "production"})
    with pytest.raises(ValueError, match="PRAXIS_JWT_SECRET"):
        create_app(unvalidated)
    with pytest.raises(ValueError, match="PRAXIS_JWT_SECRET"):
        Settings(env="production", database_url="postgresql://db/praxis")
    strong = SecretStr("s" * 40)
    create_app(settings.model_copy(update={"env": "production", "jwt_secret": strong, "action_link_secret": strong}))


@pytest.mark.parametrize("claim", ["name", "email", "sub"])
async def test_a_token_claim_with_a_line_break_is_a_validation_error(portal: Portal, claim: str) -> None:
    """Issue 9: a well-signed token whose `name`, `email` or `sub` holds a control character is refused with
    VALIDATION_ERROR (422) before anything runs; `praxis token` will not issue one either."""
    now = datetime.now(UTC)
    claims: dict[str, object] = {"sub": unique("B"), "role": "student", "exp": now + timedelta(hours=1)}
    claims[claim] = "Lin\r\nBcc: someone@example.edu"
    token = jwt.encode(claims, portal.settings.jwt_secret.get_secret_value(), algorithm="HS256")
    response = await portal.http.get("/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.text
    _problem(response.json(), "VALIDATION_ERROR", 422)
    with pytest.raises(ValueError, match="control characters"):
        portal.auth(Role.STUDENT, unique("B"), name="Lin\nMei")
