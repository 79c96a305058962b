"""The course office's desk for the portal (SPEC §7), center only: the semester at a glance (counts by stage,
the funnel), who is stuck and why, the USR impact review as JSON and as the semester report PDF, and the
exports (CSV, XLSX, the data dictionary). Every route takes the same filters; `api.desk` does the work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import StringConstraints

from api import desk
from api.auth import Center
from api.deps import SettingsDep, StoreDep
from api.errors import AUTH, problems
from api.schemas.desk import DeskOverview, ReviewQueue, StuckList
from domain.desk import DEFAULT_IDLE_WEEKS, DeskFilter
from domain.impact import ImpactFigures
from domain.vocabulary import Category, Priority

router = APIRouter(prefix="/v1/desk", tags=["desk"])

SEMESTER = r"^\d{4}-(spring|fall|summer)$"


async def cohort_filter(
    credit_semester: Annotated[
        str | None, Query(pattern=SEMESTER, description="Semester the credit was recorded in (R21).")
    ] = None,
    department: Annotated[str | None, Query(max_length=200, description="The supervisor's department.")] = None,
    supervisor: Annotated[str | None, Query(max_length=64, description="A supervisor's faculty id.")] = None,
    category: Annotated[Category | None, Query(description="R5.")] = None,
    priority: Annotated[Priority | None, Query(description="R6.")] = None,
) -> DeskFilter:
    """The filters but the semester of submission, which the impact review takes as its cohorts."""
    return DeskFilter(
        credit_semester=credit_semester,
        department=department,
        supervisor=supervisor,
        category=category,
        priority=priority,
    )


Cohort = Annotated[DeskFilter, Depends(cohort_filter)]


async def desk_filter(
    others: Cohort,
    semester: Annotated[str | None, Query(pattern=SEMESTER, description="Semester of submission (R25).")] = None,
) -> DeskFilter:
    return others.model_copy(update={"semester": semester})


Filter = Annotated[DeskFilter, Depends(desk_filter)]
IdleWeeks = Annotated[
    int, Query(ge=1, le=52, description="A project with no hours logged for this many weeks is stuck.")
]
Semesters = Annotated[
    list[Annotated[str, StringConstraints(pattern=SEMESTER)]] | None,
    Query(
        alias="semester",
        description="Semesters of submission to review (repeat for several); none: every semester.",
    ),
]


def _download(description: str, media_type: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
        },
        **problems(*AUTH),
    }


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("", summary="The semester at a glance", responses=problems(*AUTH))
async def desk_overview(
    user: Center, store: StoreDep, found: Filter, idle_weeks: IdleWeeks = DEFAULT_IDLE_WEEKS
) -> DeskOverview:
    """Projects by stage, the funnel with the median days spent in each stage, and how many are stuck."""
    return await desk.overview(store, found, _now(), idle_weeks)


@router.get("/stuck", summary="Who is stuck, and why", responses=problems(*AUTH))
async def desk_stuck(
    user: Center, store: StoreDep, found: Filter, idle_weeks: IdleWeeks = DEFAULT_IDLE_WEEKS
) -> StuckList:
    """Unreviewed proposals (R8), unanswered invitations (R12), no hours for `idle_weeks`, overdue evaluations
    by R20's day, projects handed over awaiting reassignment and leaving teachers' open projects (R22);
    longest waiting first."""
    return await desk.stuck_list(store, found, _now(), idle_weeks)


@router.get("/reassignments", summary="Projects awaiting reassignment", responses=problems(*AUTH))
async def desk_reassignments(user: Center, store: StoreDep, found: Filter) -> StuckList:
    """R22: the projects handed to the center because their leaving teacher's deadline passed, longest waiting
    first; `POST /v1/projects/{id}/supervisor` gives one another supervisor, and
    `POST /v1/projects/{id}/deadline-extension` hands it back to its teacher for longer."""
    return await desk.reassignments(store, found, _now())


@router.get("/reviews", summary="The review queue", responses=problems(*AUTH))
async def desk_reviews(user: Center, store: StoreDep, settings: SettingsDep) -> ReviewQueue:
    """R8/R9: every proposal and group proposal in review, longest waiting first, each with the route its
    decision is posted to; those waiting as long as the daily digest's threshold are marked overdue."""
    days = settings.profile.schedule.review_digest_after_days
    return await desk.review_queue(store, _now(), days)


@router.get("/impact", summary="The USR impact review", responses=problems(*AUTH))
async def desk_impact(
    user: Center, store: StoreDep, settings: SettingsDep, found: Cohort, semesters: Semesters = None
) -> ImpactFigures:
    """Projects and pass rates by category, priority, tag, partner type, department and indicator (planned vs
    reported), hours, credits and exemptions, per semester and across them. `semester` selects the cohorts
    (repeatable); the other filters narrow the projects."""
    return await desk.impact(store, found, semesters or [], settings.profile.frame)


@router.get(
    "/impact.pdf",
    summary="The semester impact report (PDF)",
    response_class=Response,
    responses=_download("The bilingual A4 report with tables and charts; aggregates only.", desk.PDF),
)
async def desk_impact_pdf(
    user: Center, store: StoreDep, settings: SettingsDep, found: Cohort, semesters: Semesters = None
) -> Response:
    """The report the office hands to the Ministry: groups of fewer than 3 students are suppressed."""
    download = await desk.impact_pdf(store, found, semesters or [], _now(), settings.profile.frame)
    return Response(download.data, media_type=download.media_type, headers=download.headers)


@router.get(
    "/exports/projects.csv",
    summary="Projects, hours and outcomes (CSV)",
    response_class=Response,
    responses=_download("UTF-8 with a byte order mark; codes, ids and dates, no names.", desk.CSV),
)
async def desk_projects_csv(user: Center, store: StoreDep, found: Cohort, semesters: Semesters = None) -> Response:
    """One row per project; `exports/dictionary.csv` explains every column and code."""
    download = await desk.projects_export(store, found, semesters or [], "csv")
    return Response(download.data, media_type=download.media_type, headers=download.headers)


@router.get(
    "/exports/projects.xlsx",
    summary="Projects, hours and outcomes (XLSX)",
    response_class=Response,
    responses=_download("A workbook: the projects sheet and the data dictionary sheet.", desk.XLSX),
)
async def desk_projects_xlsx(user: Center, store: StoreDep, found: Cohort, semesters: Semesters = None) -> Response:
    """The same rows as the CSV, with the data dictionary as a second sheet."""
    download = await desk.projects_export(store, found, semesters or [], "xlsx")
    return Response(download.data, media_type=download.media_type, headers=download.headers)


@router.get(
    "/exports/dictionary.csv",
    summary="The exports' data dictionary (CSV)",
    response_class=Response,
    responses=_download("Every column named and explained in English and Chinese, with its codes.", desk.CSV),
)
async def desk_dictionary_csv(user: Center) -> Response:
    download = desk.dictionary_csv()
    return Response(download.data, media_type=download.media_type, headers=download.headers)
