"""deploy/Dockerfile and what it installs (deploy items 1, 2 and 7): linted, multi-stage, non-root, health
checked, built from an allowlisted context, and runnable from the runtime lock alone."""

from __future__ import annotations

import base64
import re
import sqlite3
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, REPO, build_context, packaged_roots, pyproject, run, tool
from tests.support.net import free_port

DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
# Packages that pyproject's include names but the image leaves out: `praxis dev` needs dev dependencies.
DEV_ONLY_PACKAGES = {"devstack"}
# Modules of the image's packages that the image never imports: the dev inbox router (mounted only when
# PRAXIS_ENV is dev or test; it reads the dev stack's mails) and Alembic's env.py, which Alembic itself
# executes inside its migration context (`praxis migrate` below runs it for real).
NOT_IMPORTED = {"api.routes.devmail", "store.migrations.env"}
# pypdf is not among them: the API reads uploaded PDF reflection records with it (R16, R17).
TEST_TOOLS = ("pytest", "aiosmtpd", "ruff", "mypy", "hypothesis", "playwright", "schemathesis")


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip()):
            pins[match[1].lower()] = match[2]
    return pins


def test_dockerfile_passes_hadolint() -> None:
    """hadolint finds nothing, not even at `info` level (its default failure threshold)."""
    done = run(tool("hadolint"), "deploy/Dockerfile")
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_builds_in_one_stage_and_runs_in_another_as_non_root() -> None:
    """A build stage installs the runtime lock and then the project with --no-deps; the runtime stage copies
    the venv, runs as a numeric non-root user that owns PRAXIS_VAR_DIR, and checks its health."""
    stages = re.findall(r"^FROM \S+ AS (\w+)$", DOCKERFILE, re.MULTILINE)
    assert stages == ["build", "runtime"]
    build, runtime = DOCKERFILE.split("\nFROM ${PYTHON_IMAGE} AS runtime\n")
    assert "-r requirements.lock" in build
    assert "--no-deps ." in build
    assert "requirements-dev.lock" not in DOCKERFILE
    assert "COPY --from=build /opt/praxis /opt/praxis" in runtime
    user = re.findall(r"^USER (\S+)$", runtime, re.MULTILINE)
    assert user == ["10001:10001"]
    assert "install -d -o praxis -g praxis -m 0750 /var/lib/praxis" in runtime
    assert "PRAXIS_VAR_DIR=/var/lib/praxis" in runtime
    assert re.search(r'^HEALTHCHECK .* CMD \["praxis", "health", "api"\]$', runtime, re.MULTILINE)
    assert not re.search(r"\b(uv|pip) install\b", runtime), "the runtime stage installs nothing itself"


def test_build_context_holds_the_runtime_packages_and_nothing_for_tests() -> None:
    """The build sees pyproject, the runtime lock and every runtime package, and none of tests/, bench/,
    the dev stack, the dev lock, the venv, var/ (databases, kept mail), caches, local env files or .git."""
    context = build_context()
    shipped = {path.split("/", 1)[0] for path in context}
    runtime_packages = set(packaged_roots()) - DEV_ONLY_PACKAGES
    assert shipped == runtime_packages | {"pyproject.toml", "README.md", "requirements.lock", "deploy"}
    assert {path for path in context if path.startswith("deploy/")} == {"deploy/Dockerfile"}
    for package in runtime_packages:
        assert f"{package}/__init__.py" in context
    assert not [path for path in context if "__pycache__" in path or path.endswith((".pyc", ".env"))]
    assert "store/migrations/script.py.mako" in context


def test_runtime_lock_is_the_runtime_part_of_the_dev_lock() -> None:
    """requirements.lock pins pyproject's dependencies and nothing from the dev or test extras, at the very
    versions the dev lock (and so the test suite) uses, and records no download addresses."""
    runtime = _pins(REPO / "requirements.lock")
    dev = _pins(REPO / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    extras = pyproject()["project"]["optional-dependencies"]
    extra_names = {re.split(r"[<>=\[; ]", spec, maxsplit=1)[0].lower() for specs in extras.values() for spec in specs}
    assert not extra_names & set(runtime)
    assert extra_names <= set(dev)
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = (REPO / lock).read_text(encoding="utf-8")
        assert "://" not in text, f"{lock} records a download address"
        assert "--python-version 3.11" in text.splitlines()[1]


@pytest.mark.slow
def test_runtime_venv_imports_every_module_the_image_runs(runtime_venv: Path) -> None:
    """Every module of the image's packages imports with the runtime lock alone, in production settings
    (which is how `api.main` builds its app at import) and without pulling in a dev dependency."""
    roots = sorted(set(packaged_roots()) - DEV_ONLY_PACKAGES)
    script = f"""
import importlib, pkgutil, sys
failed, count = [], 0
for root in {roots!r}:
    package = importlib.import_module(root)
    for info in [None, *pkgutil.walk_packages(package.__path__, root + ".")]:
        name = root if info is None else info.name
        if name in {sorted(NOT_IMPORTED)!r}:
            continue
        count += 1
        try:
            importlib.import_module(name)
        except Exception as error:
            failed.append(f"{{name}}: {{error!r}}")
leaked = sorted(name for name in ("devstack", "aiosmtpd", "pytest") if name in sys.modules)
print(count, failed, leaked)
sys.exit(1 if failed or leaked else 0)
"""
    env = {
        "PATH": f"{runtime_venv / 'bin'}:/usr/bin:/bin",
        "PRAXIS_ENV": "production",
        "PRAXIS_JWT_SECRET": "j" * 40,
        "PRAXIS_ACTION_LINK_SECRET": "a" * 40,
        "PRAXIS_DATABASE_URL": "postgresql+psycopg://praxis:x@127.0.0.1:1/praxis",
        "PRAXIS_PAYLOAD_KEYS": "k1:" + base64.b64encode(bytes(32)).decode(),
    }
    done = run(str(runtime_venv / "bin" / "python"), "-c", script, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.split()[0]) > 50


@pytest.mark.slow
def test_runtime_venv_migrates_and_answers_health_checks(runtime_venv: Path, tmp_path: Path) -> None:
    """The image's commands work from the runtime venv: `praxis migrate` (Alembic's scripts ship as package
    data) and `praxis health api`, which names what it could not reach."""
    database = tmp_path / "praxis.db"
    env = {"PATH": f"{runtime_venv / 'bin'}:/usr/bin:/bin", "PRAXIS_DATABASE_URL": f"sqlite:///{database}"}
    migrated = run(str(runtime_venv / "bin" / "praxis"), "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"alembic_version", "project"} <= tables
    url = f"http://127.0.0.1:{free_port()}/healthz"
    health = run(str(runtime_venv / "bin" / "praxis"), "health", "api", "--url", url, env=env)
    assert health.returncode == 1
    assert f"unhealthy: {url}: ConnectError" in health.stderr


@pytest.mark.slow
def test_runtime_venv_has_no_test_tools(runtime_venv: Path) -> None:
    """No test runner, linter, type checker, browser driver or SMTP test server, and no Temporal binaries."""
    probe = f"import importlib.util as u; print([m for m in {TEST_TOOLS!r} if u.find_spec(m)])"
    done = run(str(runtime_venv / "bin" / "python"), "-c", probe)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
    binaries = {path.name for path in (runtime_venv / "bin").iterdir()}
    assert not binaries & {"pytest", "ruff", "mypy", "temporal", "temporal-test-server", "hadolint"}
    assert "praxis" in binaries
