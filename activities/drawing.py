"""Passing-list PDFs drawn in processes beside the worker (R23).

Drawing a PDF is Python work that holds the interpreter (the font subset is most of it): in the worker's own
threads, final exam week's thousand PDFs would take turns on one core while the worker's Temporal tasks wait
behind them. A small pool of processes, started on first use with `spawn` (never `fork`: the worker holds
the Temporal client's threads), draws them in parallel instead; each process reads the font once.
`PRAXIS_PDF_PROCESSES=0` draws in the worker itself.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from activities.passing_list import passing_list_pdf
from domain.passing import PassingList
from domain.profile import CourseProfile


class PdfDrawer:
    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def passing_list(self, found: PassingList, profile: CourseProfile) -> bytes:
        """The list's PDF; blocks the calling thread (activities call it from a worker thread)."""
        if self._processes == 0:
            return passing_list_pdf(found, profile)
        pool = self._executor()
        try:
            return pool.submit(passing_list_pdf, found, profile).result()
        except BrokenProcessPool:
            # A drawing process died (killed, out of memory): the next call starts a fresh pool, and the
            # activity's retry draws this PDF again.
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self._processes, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
