"""Reads: a project or a group as the caller may see it (SPEC §4), or 404 for anyone who may not know it
exists."""

from __future__ import annotations

from api.auth import Claims, actor
from clients.group import GroupClient
from clients.project import ProjectClient
from domain.access import may_read
from domain.errors import Code, RuleViolation
from domain.groups import GroupView
from domain.project import ProjectView
from domain.vocabulary import Role


async def readable_project(projects: ProjectClient, user: Claims, project_id: str) -> ProjectView:
    """The project as it stands now, or NOT_FOUND for callers who may not know it exists."""
    view = await projects.view(project_id)
    if not may_read(actor(user), view):
        raise RuleViolation(Code.NOT_FOUND, "No such project.")
    return view


async def readable_group(groups: GroupClient, user: Claims, group_id: str) -> GroupView:
    """The group as it stands, or NOT_FOUND for callers who are neither its members nor the center."""
    view = await groups.view(group_id)
    if not _may_see_group(user, view):
        raise RuleViolation(Code.NOT_FOUND, "No such group.")
    return view


def _may_see_group(user: Claims, view: GroupView) -> bool:
    if user.role is Role.CENTER:
        return True
    return user.role is Role.STUDENT and (user.sub == view.applicant_id or view.member(user.sub) is not None)
