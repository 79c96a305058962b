"""The office's desk routes (SPEC §7, center only): counts by stage and the funnel, the stuck list, the filters,
the USR impact review as JSON, the semester impact report PDF and the CSV/XLSX exports as downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from api.desk import _Drawn
from config.settings import Settings
from tests.api.desk_course import DeskCourse, seed_desk_course
from tests.api.portal import Portal


@pytest.fixture(scope="module")
async def course(http: httpx.AsyncClient, settings: Settings) -> DeskCourse:
    return await seed_desk_course(Portal(http, settings))


async def _get(portal: Portal, path: str, **params: Any) -> httpx.Response:
    response = await portal.http.get(path, params=params, headers=portal.center)
    assert response.status_code == 200, response.text
    return response


async def test_counts_and_funnel_of_a_department(portal: Portal, course: DeskCourse) -> None:
    """Counts by stage (zeros included) and the funnel's steps and measured stages for the filtered projects."""
    desk = (await _get(portal, "/v1/desk", department=course.department)).json()
    assert desk["projects"] == 3
    counts = {c["stage"]: c["projects"] for c in desk["counts"]}
    assert counts["IN_PROGRESS"] == 2 and counts["PASSED"] == 1 and counts["PROPOSAL_REVIEW"] == 0
    steps = {s["step"]: s["projects"] for s in desk["funnel"]["steps"]}
    assert steps == {"submitted": 3, "approved": 3, "supervised": 3, "closure_reported": 1, "passed": 1}
    stages = {s["stage"]: s for s in desk["funnel"]["stages"]}
    assert stages["review"]["measured"] == 3 and stages["review"]["median_days"] is not None
    assert stages["evaluation"]["measured"] == 1


async def test_filters_narrow(portal: Portal, course: DeskCourse) -> None:
    """Supervisor, semester, category and priority narrow the department's projects; the credit semester too."""
    by_teacher = (await _get(portal, "/v1/desk", department=course.department, supervisor=course.teacher)).json()
    assert by_teacher["projects"] == 2
    semester = {"department": course.department, "semester": course.semester}
    assert (await _get(portal, "/v1/desk", **semester)).json()["projects"] == 3
    assert (await _get(portal, "/v1/desk", **semester, category="club")).json()["projects"] == 0
    credited = (await _get(portal, "/v1/desk", department=course.department, credit_semester=course.semester)).json()
    assert credited["projects"] == 1
    refused = await portal.http.get("/v1/desk", params={"category": "nonsense"}, headers=portal.center)
    assert refused.status_code == 422 and refused.json()["code"] == "VALIDATION_ERROR"


async def test_leaving_teachers_open_project_is_stuck(portal: Portal, course: DeskCourse) -> None:
    """R13/R22: the leaving teacher's open project is on the stuck list with the teacher named."""
    stuck = (await _get(portal, "/v1/desk/stuck", department=course.department)).json()
    leaving = [i for i in stuck["items"] if i["reason"] == "leaving_supervisor"]
    assert [(i["project_id"], i["faculty_id"]) for i in leaving] == [(course.with_leaving, course.leaving)]
    assert stuck["idle_weeks"] == 3
    desk = (await _get(portal, "/v1/desk", department=course.department)).json()
    assert desk["stuck"] >= 1 and desk["stuck_by_reason"]["leaving_supervisor"] == 1


async def test_impact_review_json(portal: Portal, course: DeskCourse) -> None:
    """The review of the department's cohort: totals, credits, hours and the indicators planned and reported."""
    figures = (await _get(portal, "/v1/desk/impact", department=course.department, semester=course.semester)).json()
    assert figures["semesters"] == [course.semester]
    totals = figures["totals"]
    assert totals["tally"]["projects"] == 3 and totals["tally"]["passed"] == 1 and totals["credits_granted"] == 1
    assert totals["tally"]["pass_rate"] == 1.0
    assert [row["key"] for row in figures["by_department"]] == [course.department]
    assert sum(row["reported"] for row in figures["indicators"]["rows"]) >= 1


async def test_impact_review_across_semesters(portal: Portal, course: DeskCourse) -> None:
    """`semester` repeated selects several cohorts, in calendar order; each gets its point in the series."""
    response = await portal.http.get(
        "/v1/desk/impact",
        params=[("semester", course.semester), ("semester", "2001-spring"), ("department", course.department)],
        headers=portal.center,
    )
    figures = portal.ok(response)
    assert figures["semesters"] == ["2001-spring", course.semester]
    assert [p["tally"]["projects"] for p in figures["series"]] == [0, 3]


async def test_impact_report_pdf_downloads(portal: Portal, course: DeskCourse) -> None:
    """The semester report as an attachment named for the semester."""
    response = await _get(portal, "/v1/desk/impact.pdf", department=course.department, semester=course.semester)
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="usr-impact-{course.semester}.pdf"' in response.headers["content-disposition"]


async def test_exports_download(portal: Portal, course: DeskCourse) -> None:
    """CSV and XLSX of the department's projects, and the data dictionary, as attachments."""
    params = {"department": course.department, "semester": course.semester}
    text = (await _get(portal, "/v1/desk/exports/projects.csv", **params)).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["project_id"] for r in rows) == sorted([course.in_progress, course.passed, course.with_leaving])
    assert {r["department"] for r in rows} == {course.department}
    workbook = await _get(portal, "/v1/desk/exports/projects.xlsx", **params)
    assert 'filename="usr-impact-projects-' in workbook.headers["content-disposition"]
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert len(sheets) == 2
    dictionary = (await _get(portal, "/v1/desk/exports/dictionary.csv")).content.decode("utf-8-sig")
    assert "project_id" in dictionary and "department" in dictionary


@pytest.mark.parametrize("path", ["/v1/desk", "/v1/desk/stuck", "/v1/desk/impact", "/v1/desk/exports/projects.csv"])
async def test_center_only(portal: Portal, path: str) -> None:
    """A student or a teacher is refused (403); no token is 401."""
    assert (await portal.http.get(path, headers=portal.student("B00000001"))).status_code == 403
    assert (await portal.http.get(path, headers=portal.faculty("T00001"))).status_code == 403
    assert (await portal.http.get(path)).status_code == 401


def test_renderings_are_drawn_once_per_figures_and_day() -> None:
    """The report and the page's charts are drawn once for the same key and kept for the last few keys only."""
    drawn: list[str] = []

    def draw(name: str) -> str:
        drawn.append(name)
        return name.upper()

    kept = _Drawn[str](2)
    assert kept.get(("a", "d1"), lambda: draw("a")) == "A"
    assert kept.get(("a", "d1"), lambda: draw("a")) == "A"
    assert drawn == ["a"]
    kept.get(("a", "d2"), lambda: draw("a2"))  # another day: drawn again
    kept.get(("b", "d1"), lambda: draw("b"))  # a third key pushes out the oldest
    kept.get(("a", "d1"), lambda: draw("a"))
    assert drawn == ["a", "a2", "b", "a"]
