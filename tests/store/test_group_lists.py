"""The read model of group proposals (R9 lists, R8 digest), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine

from domain.actors import Actor
from domain.commands import Review
from domain.group_transitions import apply_review, new_group
from domain.groups import GroupProposal, GroupStage, GroupView, build_group_view
from domain.vocabulary import ReviewDecision, Role
from store import archive, groups
from store.db import alembic_config, make_engine, session
from tests.store.conftest import fresh_postgres_database, sqlite_url

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)


def view(group_id: str = "g-1", members: tuple[str, ...] = ("B1", "B2"), revision_steps: int = 0) -> GroupView:
    proposal = GroupProposal.model_validate(
        {
            "title": "Beach clean-up at Fulong",
            "plan": "Monthly clean-ups with the village association, sorting what we collect.",
            "category": "external",
            "indicators": [{"indicator": "civic_consciousness", "how": "Villagers and students keep the beach."}],
            "members": list(members),
        }
    )
    state = new_group(group_id, Actor(id=members[0], role=Role.STUDENT), proposal, T0)
    if revision_steps:
        apply_review(state, Actor(id="c", role=Role.CENTER), Review(decision=ReviewDecision.APPROVE), T0 + timedelta(1))
    return build_group_view(state)


def test_r9_groups_are_listed_for_members_newest_revision_wins(db: Engine) -> None:
    """R9: a group is found by its applicant and by every member named, not by others; an older revision
    written late never replaces a newer one."""
    with session(db) as s:
        assert groups.save_group(s, view(revision_steps=1))
        assert not groups.save_group(s, view())  # the late, older write
        groups.save_group(s, view("g-2", ("B3", "B1")))
    with session(db) as s:
        mine, total = groups.list_groups(s, student_id="B2")
        assert total == 1 and mine[0].stage is GroupStage.APPROVED
        assert sorted(g.id for g in groups.list_groups(s, student_id="B1")[0]) == ["g-1", "g-2"]
        assert groups.list_groups(s, student_id="B9") == ([], 0)
        assert [g.id for g in groups.list_groups(s, stage=GroupStage.PROPOSAL_REVIEW)[0]] == ["g-2"]
        waiting = groups.groups_in_stage_since(s, GroupStage.PROPOSAL_REVIEW, T0)
        assert [(g.id, len(g.members)) for g in waiting] == [("g-2", 2)]


@contextmanager
def database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_r9_groups_archived_before_the_read_model_existed_are_listed(kind: str, tmp_path: Path) -> None:
    """R9/SPEC §6: migration 0006 copies every group the archive kept into the read model, with its members."""
    with database(kind, tmp_path) as url:
        command.upgrade(alembic_config(url), "0005")
        engine = make_engine(url)
        closed = view("g-old", ("B7", "B8"))
        with session(engine) as s:
            archive._keep(s, "group", closed.id, "WITHDRAWN", closed.revision, T0, closed.model_dump_json())
        command.upgrade(alembic_config(url), "head")
        with session(engine) as s:
            [listed], _ = groups.list_groups(s, student_id="B8")
        assert (listed.id, listed.title, listed.created_at) == ("g-old", "Beach clean-up at Fulong", T0)
        assert listed.members == [("B7", None), ("B8", None)]
        engine.dispose()
