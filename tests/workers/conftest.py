"""Workflow-level drivers for the worker's tests."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from clients.project import ProjectClient
from tests.support.course import Course


@pytest.fixture
def course(projects: ProjectClient, engine: Engine) -> Course:
    return Course(projects, engine)
