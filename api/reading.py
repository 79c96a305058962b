"""Reads: a project or a group as the caller may see it (SPEC §4), or 404 for anyone who may not know it
exists.

A finished project or group is read from the archive (`store.archive`), written before its workflow
completed, so it reads the same whether Temporal still remembers the workflow or its retention has long
deleted it (SPEC §6); a running one is asked of its workflow, so it is always current.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlmodel import Session

from api.auth import Claims, actor
from api.db import Store
from clients.group import GroupClient
from clients.project import ProjectClient
from domain.access import may_read
from domain.errors import Code, RuleViolation
from domain.groups import GroupView
from domain.project import ProjectView
from domain.vocabulary import Role
from store import archive

V = TypeVar("V", ProjectView, GroupView)


async def project_view(projects: ProjectClient, store: Store, project_id: str) -> ProjectView:
    """The archive's final view of a finished project, else the project as its workflow has it now."""
    return await _archived_or_live(store, archive.archived_project, projects.view, project_id)


async def readable_project(projects: ProjectClient, store: Store, user: Claims, project_id: str) -> ProjectView:
    """The project, or NOT_FOUND for callers who may not know it exists."""
    view = await project_view(projects, store, project_id)
    if not may_read(actor(user), view):
        raise RuleViolation(Code.NOT_FOUND, "No such project.")
    return view


async def group_view(groups: GroupClient, store: Store, group_id: str) -> GroupView:
    """The archive's final view of a finished group, else the group as its workflow has it now."""
    return await _archived_or_live(store, archive.archived_group, groups.view, group_id)


async def _archived_or_live(
    store: Store,
    archived: Callable[[Session, str], V | None],
    live: Callable[[str], Awaitable[V]],
    entity_id: str,
) -> V:
    kept = await store.run(archived, entity_id)
    if kept is not None:
        return kept
    try:
        return await live(entity_id)
    except RuleViolation as missing:
        # It may have closed, and been forgotten, between the two reads.
        kept = await store.run(archived, entity_id) if missing.code is Code.NOT_FOUND else None
        if kept is None:
            raise
        return kept


async def readable_group(groups: GroupClient, store: Store, user: Claims, group_id: str) -> GroupView:
    """The group, or NOT_FOUND for callers who are neither its members nor the center."""
    view = await group_view(groups, store, group_id)
    if not may_see_group(user, view):
        raise RuleViolation(Code.NOT_FOUND, "No such group.")
    return view


def may_see_group(user: Claims, view: GroupView) -> bool:
    if user.role is Role.CENTER:
        return True
    return user.role is Role.STUDENT and (user.sub == view.applicant_id or view.member(user.sub) is not None)
