"""The course office's desk (SPEC §7), shared by its JSON routes (`api.routes.desk`) and its page
(`api.routes.office`): the read model filtered, then the pure rules of `domain.desk`, `domain.impact` and
`domain.funnel`, then the renderings of `reports/`.

Everything reads the project read model, never a workflow: a semester of thousands of projects is one
query. Renderings that draw charts (the PDF, the page's SVGs) run `reports.charts` in a thread, and the
charts themselves in a child process of their own (see there).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Generic, TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.db import Store
from api.schemas.desk import DeskOverview, ReviewItem, ReviewQueue, StuckList
from domain.calendar import TAIPEI, taipei_date
from domain.desk import DEFAULT_IDLE_WEEKS, DeskFilter, StuckItem, StuckReason, impact_record, stage_counts, stuck
from domain.digest import DIGEST_STAGE, WaitingGroup, in_review
from domain.funnel import funnel
from domain.groups import GroupStage
from domain.impact import ImpactFigures, ImpactRecord, impact_figures, semester_order
from domain.profile import NTUST_V1, Frame
from domain.project import ProjectSummary
from reports import charts, exports
from reports.impact_pdf import impact_report_filename, impact_report_pdf
from store import desk as desk_store
from store.groups import groups_in_stage_since
from store.projects import projects_in_stage_since


@dataclass(frozen=True)
class Download:
    data: bytes
    media_type: str
    filename: str

    @property
    def headers(self) -> dict[str, str]:
        # File names are built from semester ids (letters, digits, `-`): safe in a quoted filename.
        return {"Content-Disposition": f'attachment; filename="{self.filename}"'}

    def response(self) -> Response:
        """The file as an attachment, for the desk's routes and the office page alike."""
        return Response(self.data, media_type=self.media_type, headers=self.headers)


T = TypeVar("T")
PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def rows(store: Store, found: DeskFilter) -> list[ProjectSummary]:
    return await store.run(desk_store.desk_rows, found)


@dataclass(frozen=True)
class Glance:
    """What the office's page shows: the overview and the stuck list of the filtered projects, and the impact
    review of their cohort."""

    overview: DeskOverview
    stuck: list[StuckItem]
    figures: ImpactFigures


def _overview(matched: list[ProjectSummary], items: list[StuckItem], found: DeskFilter, now: datetime) -> DeskOverview:
    return DeskOverview(
        filters=found,
        generated_at=now,
        projects=len(matched),
        counts=stage_counts(matched),
        funnel=funnel([impact_record(row) for row in matched]),
        stuck=len({item.project_id for item in items}),
        stuck_by_reason=dict(Counter(item.reason for item in items)),
    )


async def _stuck(store: Store, matched: list[ProjectSummary], now: datetime, idle_weeks: int) -> list[StuckItem]:
    leaving = await store.run(desk_store.leaving_faculty)
    return stuck(matched, leaving=leaving, now=now, idle_weeks=idle_weeks)


async def overview(store: Store, found: DeskFilter, now: datetime, idle_weeks: int) -> DeskOverview:
    matched = await rows(store, found)
    return _overview(matched, await _stuck(store, matched, now, idle_weeks), found, now)


async def stuck_list(store: Store, found: DeskFilter, now: datetime, idle_weeks: int) -> StuckList:
    items = await _stuck(store, await rows(store, found), now, idle_weeks)
    return StuckList(filters=found, generated_at=now, idle_weeks=idle_weeks, items=items)


async def reassignments(store: Store, found: DeskFilter, now: datetime) -> StuckList:
    """R22: the projects handed to the center after their leaving teacher's deadline passed, waiting for
    another supervisor; longest waiting first."""
    matched = [row for row in await rows(store, found) if row.needs_reassignment]
    every = await _stuck(store, matched, now, DEFAULT_IDLE_WEEKS)
    items = [item for item in every if item.reason is StuckReason.AWAITING_REASSIGNMENT]
    return StuckList(filters=found, generated_at=now, idle_weeks=DEFAULT_IDLE_WEEKS, items=items)


def _in_review(s: Session) -> tuple[list[ProjectSummary], list[WaitingGroup]]:
    waiting = projects_in_stage_since(s, DIGEST_STAGE)
    groups = [
        WaitingGroup(id=g.id, title=g.title, priority=g.priority, stage_since=g.stage_since, members=len(g.members))
        for g in groups_in_stage_since(s, GroupStage.PROPOSAL_REVIEW)
    ]
    return waiting, groups


async def review_queue(store: Store, now: datetime, overdue_after_days: int) -> ReviewQueue:
    """R8/R9: every proposal and group proposal in review, longest waiting first, the overdue ones marked
    (the digest's threshold, the course profile's `review_digest_after_days`)."""
    waiting, groups = await store.run(_in_review)
    everything = in_review(waiting, groups, now)
    threshold = timedelta(days=overdue_after_days)
    items = [
        ReviewItem(
            **item.model_dump(),
            overdue=now - item.waiting_since >= threshold,
            review_path=f"/v1/{'groups' if item.kind == 'group' else 'projects'}/{item.project_id}/review",
        )
        for item in everything
    ]
    return ReviewQueue(generated_at=now, overdue_after_days=overdue_after_days, items=items)


async def glance(
    store: Store, found: DeskFilter, now: datetime, idle_weeks: int, frame: Frame = NTUST_V1.frame
) -> Glance:
    """One read for the whole page: the projects of every semester that match the other filters (the impact
    review needs them for the credits of its cohort), narrowed to the semester here."""
    every = await rows(store, found.model_copy(update={"semester": None}))
    matched = [row for row in every if found.semester is None or row.semester_id == found.semester]
    items = await _stuck(store, matched, now, idle_weeks)
    cohort = [found.semester] if found.semester else None
    figures = impact_figures([impact_record(row) for row in every], cohort, frame)
    return Glance(_overview(matched, items, found, now), items, figures)


async def impact_records(store: Store, found: DeskFilter) -> list[ImpactRecord]:
    """Every project the filter matches whatever its semester: credits granted in a semester may belong to
    projects submitted earlier (`domain.impact.impact_figures`), so the semesters select the cohort there."""
    matched = await rows(store, found.model_copy(update={"semester": None}))
    return [impact_record(row) for row in matched]


async def impact(
    store: Store, found: DeskFilter, semesters: Sequence[str], frame: Frame = NTUST_V1.frame
) -> ImpactFigures:
    """The review with the indicators (or competencies) of the deployment's course profile."""
    return impact_figures(await impact_records(store, found), list(semesters) or None, frame)


class _Drawn(Generic[T]):
    """The last few renderings by what they were drawn from. Drawing charts costs a child process and about a
    second, and the office reloads its page and downloads the same report far more often than its figures
    change; the figures are small, so their JSON is the key."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str], T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], draw: Callable[[], T]) -> T:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        drawn = draw()  # outside the lock: two first requests may both draw, and either result is right
        with self._lock:
            self._kept[key] = drawn
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return drawn


_PDFS = _Drawn[bytes](16)
_SVGS = _Drawn[dict[str, str]](32)


async def impact_pdf(
    store: Store, found: DeskFilter, semesters: Sequence[str], now: datetime, frame: Frame = NTUST_V1.frame
) -> Download:
    """The report says the Taipei day it was generated: the same figures on the same day give the same PDF,
    drawn once (dated the start of that day)."""
    figures = await impact(store, found, semesters, frame)
    day = taipei_date(now)
    generated = datetime.combine(day, time(0), TAIPEI)
    data = await run_in_threadpool(
        _PDFS.get,
        (figures.model_dump_json(), day.isoformat()),
        lambda: impact_report_pdf(figures, generated_at=generated),
    )
    return Download(data, PDF, impact_report_filename(figures))


def _draw_svgs(figures: ImpactFigures) -> dict[str, str]:
    specs = charts.impact_charts(figures, 0)
    if len(figures.series) < 2:
        del specs["semester_trend"]  # one point is no trend
    return {name: data.decode() for name, data in charts.render(specs, "svg").items()}


async def chart_svgs(figures: ImpactFigures) -> dict[str, str]:
    """The review's charts as SVG documents, by name, drawn in one child process (or kept from last time)."""
    return await run_in_threadpool(_SVGS.get, (figures.model_dump_json(), ""), lambda: _draw_svgs(figures))


async def projects_export(store: Store, found: DeskFilter, semesters: Sequence[str], extension: str) -> Download:
    """One row per project of the selected semesters (all when none), with the dictionary in the XLSX."""
    chosen = set(semesters)
    records = [r for r in await impact_records(store, found) if not chosen or r.semester_id in chosen]
    ordered = sorted(chosen, key=semester_order)
    if extension == "xlsx":
        data = await run_in_threadpool(exports.projects_xlsx, records)
        return Download(data, XLSX, exports.export_filename(ordered, "xlsx"))
    return Download(exports.projects_csv(records), CSV, exports.export_filename(ordered, "csv"))


def dictionary_csv() -> Download:
    return Download(exports.dictionary_csv(), CSV, "usr-impact-data-dictionary.csv")
