"""Where students' and the center's mail links land (issue 12, item 2): the university portal's page when
`portal_project_url` / `portal_group_url` name one, else Praxis's read-only page behind a signed link."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from activities.mail.links import group_url, project_url
from config.settings import Settings
from tests.api.portal import Portal
from tests.api.test_groups import submit_group


def test_the_portal_template_names_the_project_page() -> None:
    """Issue 12: with a portal template, mails link to it with the id in place of `{id}`; without, to the signed
    read-only page; a template without `{id}` is refused at start."""
    portal = Settings(
        env="test",
        portal_project_url="https://portal.example.edu/social-practice/projects/{id}",
        portal_group_url="https://portal.example.edu/social-practice/groups/{id}?tab=members",
    )
    assert project_url(portal, "p1") == "https://portal.example.edu/social-practice/projects/p1"
    assert group_url(portal, "g1") == "https://portal.example.edu/social-practice/groups/g1?tab=members"
    own = Settings(env="test", public_url="http://127.0.0.1:8000/")
    assert project_url(own, "p1").startswith("http://127.0.0.1:8000/v/projects/p1.")
    assert group_url(own, "g1").startswith("http://127.0.0.1:8000/v/groups/g1.")
    with pytest.raises(ValidationError):
        Settings(env="test", portal_project_url="https://portal.example.edu/projects")


async def test_the_read_only_pages_show_the_project_and_the_group(portal: Portal, settings: Settings) -> None:
    """Issue 12: the signed link opens a readable page (200, HTML) with the project's title, its stage in words
    in both languages and its hours; the group's page likewise; a link with a wrong signature is a 404 page,
    and nothing on either page acts (no form)."""
    project_id, student_id, _ = await portal.in_progress()
    path = project_url(settings, project_id).removeprefix(settings.public_url.rstrip("/"))
    page = await portal.http.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Reading club at Wanhua community library" in page.text
    assert "In progress" in page.text and "執行中" in page.text and "<form" not in page.text
    assert (
        page.headers["Cache-Control"] == "no-store"
        and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )

    forged = await portal.http.get(path[:-3] + "AAA")
    assert forged.status_code == 404 and "TOKEN_INVALID" in forged.text

    group = await submit_group(portal, [student_id, await portal.add_student()])
    group_page = await portal.http.get(group_url(settings, group["id"]).removeprefix(settings.public_url.rstrip("/")))
    assert group_page.status_code == 200 and "Beach clean-up at Fulong" in group_page.text
    assert "Proposal under review" in group_page.text and "計畫書審查中" in group_page.text
