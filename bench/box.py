"""What the figures were measured on: the machine and the versions, printed with every run."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import temporalio


@dataclass(frozen=True)
class Box:
    measured_at: str
    nproc: int
    cpu: str
    ram_gib: float
    python: str
    temporalio: str
    temporal_cli: str
    load_at_start: str  # 1, 5 and 15 minute load averages: other work on the box skews every figure

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _cpuinfo_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _temporal_cli_version(binary: Path) -> str:
    result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip().removeprefix("temporal version ") or "unknown"


def describe(temporal_binary: Path) -> Box:
    return Box(
        measured_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        nproc=len(os.sched_getaffinity(0)),
        cpu=_cpuinfo_model(),
        ram_gib=_ram_gib(),
        python=platform.python_version(),
        temporalio=temporalio.__version__,
        temporal_cli=_temporal_cli_version(temporal_binary),
        load_at_start=" ".join(f"{load:.2f}" for load in os.getloadavg()),
    )


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB, from /proc/<pid>/status."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc/<pid>/stat (fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU time per process over a stretch of a run: on a 2-core box every process's CPU is everyone's, so
    where each action's CPU goes says more than a throughput alone."""

    def __init__(self, processes: dict[str, int]) -> None:
        self._processes = processes
        self._start = {name: cpu_seconds(pid) for name, pid in processes.items()}

    def spent(self) -> dict[str, float]:
        """Seconds of CPU, by process, since the meter was made."""
        return {name: cpu_seconds(pid) - self._start[name] for name, pid in self._processes.items()}

    def per_action_ms(self, actions: int) -> dict[str, float]:
        """Milliseconds of CPU per action, by process, since the meter was made."""
        return {name: seconds * 1000 / max(actions, 1) for name, seconds in self.spent().items()}
