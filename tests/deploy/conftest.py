"""The deploy/ directory checked without a container engine: what the image build would see and install,
the compose file, the Kubernetes manifests and the setup scripts, each with the validator that fits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from docker.utils.build import exclude_paths

from config.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
BIN = Path(sys.executable).parent

# Settings the deployment sets that config/settings.py is being extended with alongside it. Each name here is
# binding for the env files, compose and Kubernetes; once Settings has a field, it is known twice. (None today.)
PLANNED_SETTINGS: frozenset[str] = frozenset()
KNOWN_SETTINGS = frozenset(f"PRAXIS_{name.upper()}" for name in Settings.model_fields) | PLANNED_SETTINGS


def tool(name: str) -> str:
    """A validator installed by `make install` (the test extra), from this venv's bin first."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `make install`")
    return found


def run(*command: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO, check=False)


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_all_yaml(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def packaged_roots() -> list[str]:
    """The top-level packages pyproject's `[tool.setuptools.packages.find] include` names (`config*` → config)."""
    return [pattern.rstrip("*") for pattern in pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]]


def dockerignore_patterns() -> list[str]:
    lines = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def build_context() -> set[str]:
    """The files `docker build -f deploy/Dockerfile .` sends, by Docker's own .dockerignore rules."""
    # exclude_paths walks the disk as the build would (so it meets .venv, var/ and caches too) and names
    # directories as well as files; the files are what the build stage can COPY.
    sent = exclude_paths(str(REPO), dockerignore_patterns(), dockerfile="deploy/Dockerfile")
    return {path for path in sent if (REPO / path).is_file()}


@pytest.fixture(scope="session")
def runtime_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with requirements.lock alone, then the project from the image's build context with
    --no-deps: what the Dockerfile's build stage makes. Built once per session from uv's cache (offline)."""
    root = tmp_path_factory.mktemp("image")
    context = root / "context"
    for relative in build_context():
        target = context / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    venv = root / "venv"
    uv = tool("uv")
    steps = [
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--python",
            str(venv / "bin" / "python"),
            "-r",
            str(context / "requirements.lock"),
        ],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--python",
            str(venv / "bin" / "python"),
            "--no-deps",
            str(context),
        ],
    ]
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    for step in steps:
        done = run(*step, env=env, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(step)} failed (is uv's cache filled by `make install`?):\n{done.stderr}")
    return venv
