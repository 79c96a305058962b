"""The API's metrics with several server processes (`praxis api --workers N`): a scrape of any one of them
sums every process's figures (prometheus-client's multiprocess mode)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.prometheus import sample

COUNT_ONE = """
from telemetry import metrics
metrics.REQUESTS.labels(route="/v1/projects", method="POST", status="201").inc()
"""
SCRAPE = """
from prometheus_client import generate_latest
from telemetry.metrics import metrics_registry
print(generate_latest(metrics_registry()).decode())
"""
MAKE_DIRECTORY_TWICE = """
import os
from cli.main import multiprocess_metrics
multiprocess_metrics()
first = os.environ["PROMETHEUS_MULTIPROC_DIR"]
multiprocess_metrics()
print(first == os.environ["PROMETHEUS_MULTIPROC_DIR"], os.path.isdir(first))
"""


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_scrape_sums_every_server_process(tmp_path: Path) -> None:
    """Two processes each count one request; a third, serving /metrics, answers 2."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    _python(COUNT_ONE, env)
    _python(COUNT_ONE, env)
    text = _python(SCRAPE, env)
    assert sample(text, "praxis_http_requests", route="/v1/projects", method="POST", status="201") == 2


def test_multiprocess_directory_is_made_once_for_the_server_processes() -> None:
    """`praxis api --workers 2` makes one fresh directory for its processes unless one is given."""

    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    assert _python(MAKE_DIRECTORY_TWICE, env).split() == ["True", "True"]
