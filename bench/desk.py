"""Benchmark: the course office's desk over a large semester (docs/office.md).

Prints figures; asserts nothing. Writes N projects straight into a fresh read model (SQLite by default,
`--postgres URL` for a database created on that server and dropped after), spread over the stages, three
semesters, eight departments and every category, as `store.projects.save_project` writes them, then times
what one request of each desk route does: the filtered read, the counts and funnel, the stuck list, the
impact figures, the CSV and XLSX exports, the charts (one child process) and the report PDF.

    python -m bench.desk --projects 10000
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import make_url
from sqlalchemy.engine import Engine

from domain.desk import DeskFilter, impact_record, stage_counts, stuck
from domain.funnel import funnel
from domain.impact import impact_figures
from domain.project import ProjectSummary
from domain.stages import Stage
from domain.vocabulary import Category, Indicator, PriorityTag
from reports import charts, exports
from reports.impact_pdf import impact_report_pdf
from store import desk, projects
from store.db import make_engine, migrate, session

T = TypeVar("T")
SEMESTERS = ["2025-fall", "2026-spring", "2026-fall"]
DEPARTMENTS = [f"Department {n}" for n in range(8)]
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def _row(n: int, rng: random.Random) -> ProjectSummary:
    stage = rng.choice(list(Stage))
    created = NOW - timedelta(days=rng.uniform(1, 400))
    supervised = stage in (Stage.IN_PROGRESS, Stage.EVALUATION_PENDING, Stage.REVISION_REQUESTED, Stage.PASSED)
    step = timedelta(days=rng.uniform(1, 20))
    return ProjectSummary(
        id=f"p{n:06d}",
        student_id=f"B{n:08d}",
        semester_id=rng.choice(SEMESTERS),
        stage=stage,
        title=f"Project {n}",
        category=rng.choice(list(Category)).value,
        priority="high",
        group_id=None,
        supervisor_id=f"T{n % 400:04d}" if supervised else None,
        invited_faculty_id=f"T{n % 400:04d}" if stage is Stage.SUPERVISOR_INVITED else None,
        counted_hours=Decimal(rng.choice([0, 12, 24, 36, 40])),
        created_at=created,
        stage_since=created + step,
        updated_at=created + step,
        revision=1,
        credit_granted=True if stage is Stage.PASSED else None,
        tags=[PriorityTag.VOLUNTEER.value],
        indicators_planned=[rng.choice(list(Indicator)).value],
        indicators_reported=[rng.choice(list(Indicator)).value] if stage is Stage.PASSED else [],
        department=rng.choice(DEPARTMENTS) if supervised else None,
        credit_semester_id=SEMESTERS[-1] if stage is Stage.PASSED else None,
        approved_at=created + step if stage is not Stage.PROPOSAL_REVIEW else None,
        supervised_at=created + 2 * step if supervised else None,
        closure_submitted_at=created + 3 * step if stage in (Stage.EVALUATION_PENDING, Stage.PASSED) else None,
        decided_at=created + 4 * step if stage.is_final else None,
        evaluation_started_at=created + 3 * step if stage is Stage.EVALUATION_PENDING else None,
    )


def timed(label: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return result


@contextmanager
def _database(postgres: str | None) -> Iterator[str]:
    if postgres is None:
        with tempfile.TemporaryDirectory() as scratch:
            yield f"sqlite:///{Path(scratch) / 'desk.db'}"
        return
    admin = make_engine(postgres).execution_options(isolation_level="AUTOCOMMIT")
    name = f"praxis_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        make_engine(url).dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def _seed(engine: Engine, count: int) -> None:
    rng = random.Random(13)
    rows = [_row(n, rng) for n in range(count)]
    with session(engine) as s:
        for row in rows:
            projects.save_project(s, row, [])


def run(count: int, postgres: str | None) -> None:
    with _database(postgres) as url:
        migrate(url)
        engine = make_engine(url)
        print(f"{count} projects, {make_url(url).get_backend_name()}")
        timed("seed (save_project per row)", lambda: _seed(engine, count))

        def read(found: DeskFilter) -> list[ProjectSummary]:
            with session(engine) as s:
                return desk.desk_rows(s, found)

        rows = timed("read every project", lambda: read(DeskFilter()))
        timed("read one semester", lambda: read(DeskFilter(semester=SEMESTERS[-1])))
        timed("read one department", lambda: read(DeskFilter(department=DEPARTMENTS[0])))
        records = timed("rows as impact records", lambda: [impact_record(r) for r in rows])
        timed("counts by stage and the funnel", lambda: (stage_counts(rows), funnel(records)))
        timed("stuck list", lambda: stuck(rows, leaving={"T0001": "2026-fall"}, now=NOW))
        figures = timed("impact figures, one semester", lambda: impact_figures(records, [SEMESTERS[-1]]))
        timed("impact figures, every semester", lambda: impact_figures(records))
        timed("projects CSV", lambda: exports.projects_csv(records))
        timed("projects XLSX", lambda: exports.projects_xlsx(records))
        timed("charts as SVG (one child process)", lambda: charts.render(charts.impact_charts(figures), "svg"))
        timed("impact report PDF", lambda: impact_report_pdf(figures, generated_at=NOW))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL to create the bench database beside")
    args = parser.parse_args()
    run(args.projects, args.postgres)


if __name__ == "__main__":
    main()
