"""docs/api.md runs as written (issue 12): its shell blocks, in order, with curl and jq against the real app
served over HTTP, and every answer the page shows in a `# ...` comment line comes out, in that order."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
# An answer the page promises: a comment that is a JSON value or a status code, e.g. `# "IN_PROGRESS"`.
SHOWN = re.compile(r'^# (".*"|\[.*\]|\d{3})$', re.MULTILINE)


def walkthrough() -> str:
    """The page's shell blocks from "Before you start" on, less the one that starts the dev stack."""
    blocks = [block for block in BLOCK.findall(DOC.read_text(encoding="utf-8")) if "make run" not in block]
    return "\n".join(blocks)


@pytest.fixture
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The session's app on a real port, on the test's event loop (where its Temporal client lives)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_the_api_walkthrough_runs_as_written(served: str, settings: Settings, tmp_path: Path) -> None:
    """docs/api.md: proposal to credit, the calendar, a leaving teacher and a reassignment, the directory read
    back, a group, conditional requests and the errors section, each command as the page prints it (only
    the API's address differs); the script stops at the first failing command, and each answer the page
    shows in a comment is printed, in order."""
    script = walkthrough().replace("API=http://127.0.0.1:8000", f"API={served}")
    # The page runs from the repository (`source .venv/bin/activate`); its files land in a folder of the test's.
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "PRAXIS_ENV": settings.env,
        "PRAXIS_VAR_DIR": str(settings.var_dir),
        "PRAXIS_JWT_SECRET": settings.jwt_secret.get_secret_value(),
    }
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-euo",
        "pipefail",
        "-c",
        script,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=600)
    printed = out.decode()
    assert process.returncode == 0, f"{err.decode()[-3000:]}\n---\n{printed[-3000:]}"

    lines = [line.strip() for line in printed.splitlines()]
    at = 0
    for promised in SHOWN.findall(walkthrough()):
        while at < len(lines) and lines[at] != promised:
            at += 1
        assert at < len(lines), f"the page shows {promised} but the walkthrough never printed it:\n{printed}"
        at += 1
    assert "passing-list" not in printed and (tmp_path / "passing.pdf").read_bytes().startswith(b"%PDF")
