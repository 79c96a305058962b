"""The benchmark's CPU accounting (bench/box.py): CPU per action by process is only as good as this."""

from __future__ import annotations

import os
import time

from bench.box import CpuMeter, cpu_seconds


def test_cpu_seconds_grows_with_work_done_and_not_with_time_asleep() -> None:
    before = cpu_seconds(os.getpid())
    time.sleep(0.2)
    slept = cpu_seconds(os.getpid()) - before
    started = time.process_time()
    while time.process_time() - started < 0.3:
        pass
    worked = cpu_seconds(os.getpid()) - before - slept
    assert slept < 0.1
    assert 0.2 <= worked <= 1.0


def test_the_meter_divides_each_process_cpu_by_the_actions() -> None:
    meter = CpuMeter({"caller": os.getpid()})
    started = time.process_time()
    while time.process_time() - started < 0.2:
        pass
    per_action = meter.per_action_ms(10)
    assert set(per_action) == {"caller"}
    assert 15 <= per_action["caller"] <= 100  # about 200 ms of CPU over 10 actions
