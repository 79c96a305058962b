"""Layering: the renderings and the impact core are pure, so the office's routes only feed them rows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_PACKAGES = {"api", "store", "workflows", "activities", "clients", "workers", "cli", "devstack", "config"}
PURE_CORE = ["domain/impact.py", "domain/funnel.py", "domain/labels.py"]


def _imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "reports").glob("*.py")))
def test_reports_import_no_service_layer(path: str) -> None:
    """reports/ sits on domain/ and libraries: no store, API, workflow or activity code, so any of them may use it."""
    assert not _imported_packages(ROOT / path) & SERVICE_PACKAGES


@pytest.mark.parametrize("path", PURE_CORE)
def test_impact_core_is_pure(path: str) -> None:
    """The impact core does no I/O: standard library, pydantic and other domain modules only."""
    allowed = {"__future__", "collections", "dataclasses", "decimal", "enum", "statistics", "typing", "datetime"}
    assert _imported_packages(ROOT / path) <= allowed | {"pydantic", "domain"}


def test_only_the_chart_process_loads_the_javascript_engine() -> None:
    """vl-convert's V8 broke a Temporal client's connection in the same process: it loads in a child only."""
    loading = [
        path.relative_to(ROOT).as_posix()
        for package in ("reports", "domain", "api", "activities", "workers", "workflows", "cli")
        for path in (ROOT / package).rglob("*.py")
        if "vl_convert" in _imported_packages(path)
    ]
    assert loading == ["reports/chart_process.py"]
