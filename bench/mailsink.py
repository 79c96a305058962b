"""The SMTP sink the Praxis worker mails to during a run: it only notes who got a mail and when.

Parsing or storing bodies would spend the load generator's CPU on the benchmark's own bookkeeping, so
the handler keeps the envelope recipients and the arrival time and drops the rest.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Collection

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.services import free_port


class CountingSink:
    def __init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Lock()
        self._arrivals: list[tuple[float, str]] = []  # (perf_counter, lowercased recipient)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        now = time.perf_counter()
        with self._lock:
            self._arrivals.extend((now, str(rcpt).lower()) for rcpt in envelope.rcpt_tos)
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def arrivals_to(self, recipients: Collection[str]) -> list[tuple[float, str]]:
        """Every arrival for one of `recipients` (lowercase addresses), in order."""
        with self._lock:
            return [(at, rcpt) for at, rcpt in self._arrivals if rcpt in recipients]

    def count_by_recipient(self, recipients: Collection[str]) -> Counter[str]:
        return Counter(rcpt for _, rcpt in self.arrivals_to(recipients))

    @property
    def total(self) -> int:
        with self._lock:
            return len(self._arrivals)
