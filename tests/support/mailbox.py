"""Mail as a test under the time-skipping server sees it: one address's mailbox and a clock to move.

Virtual time moves only when a test sleeps (`temporal_env.sleep`); the worker sends mail in real time, so
tests wait (bounded) for mail to arrive at the session's SMTP sink. The sink is shared by the whole
session, so a test reads only its own people's addresses, or the mails that name its own project.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from temporalio.testing import WorkflowEnvironment

from tests.activities.support import text_of
from tests.support.mailsink import MailSink

MAIL_WAIT = 10.0  # real seconds for a mail the worker owes to arrive, even on a loaded two-core box
SETTLE = 0.2  # real seconds of margin before "no mail" is checked (see advance_to for why it is enough)

# Each mail by the start of its English subject (activities/templates/*.j2), so tests can name them.
SUBJECTS = {
    "invitation": "Invitation to supervise",
    "invitation_reminder": "Reminder: invitation to supervise",
    "invitation_cancelled": "Invitation withdrawn",
    "invitation_expired": "Invitation expired",
    "invitation_accepted": "Your supervisor accepted",
    "proposal_approved": "Proposal approved",
    "evaluation_requested": "Closure report to evaluate",
    "evaluation_reminder": "Reminder: closure report awaiting your evaluation",
    "evaluation_overdue": "Overdue evaluation",
    "evaluation_revise": "Closure report returned for revision",
    "evaluation_pass": "Passed",
    "project_withdrawn": "Project withdrawn",
    "review_digest": "Proposals waiting for review",
}


def kind(message: EmailMessage) -> str:
    """The template a mail was rendered from, read off its subject."""
    subject = str(message["Subject"]).removeprefix("[Praxis] ")
    return next((name for name, start in SUBJECTS.items() if subject.startswith(start)), subject)


def kinds(messages: list[EmailMessage]) -> list[str]:
    return [kind(m) for m in messages]


@dataclass
class Mailbox:
    """What the session's SMTP sink received for one address, optionally only mails naming one project.

    `read` counts the mails the test has looked at: `next` waits for the one after them, so a mail that
    arrives before the test asks for it is not missed, and `unread` is what came that the test did not expect.
    """

    sink: MailSink
    address: str
    about: str | None = None
    read: int = 0

    def received(self) -> list[EmailMessage]:
        return [m for m in self.sink.to(self.address) if self.about is None or self.about in text_of(m)]

    def unread(self) -> list[str]:
        return kinds(self.received()[self.read :])

    async def wait_for(self, count: int) -> list[EmailMessage]:
        """Every mail received, once there are at least `count` (bounded by MAIL_WAIT seconds of real time)."""
        try:
            async with asyncio.timeout(MAIL_WAIT):
                while len(self.received()) < count:
                    await asyncio.sleep(0.02)
        except TimeoutError:
            got = kinds(self.received())
            raise AssertionError(f"expected {count} mails to {self.address}, got {len(got)}: {got}") from None
        return self.received()

    async def next(self, expected_kind: str) -> EmailMessage:
        """The next mail to this box, once it arrived; it must be of the expected kind."""
        message = (await self.wait_for(self.read + 1))[self.read]
        self.read += 1
        assert kind(message) == expected_kind, f"mail {self.read} to {self.address} is {kind(message)}"
        return message


async def advance_to(env: WorkflowEnvironment, instant: datetime) -> None:
    """Skip virtual time forward to `instant`; timers due on the way fire in order.

    The test server holds its clock while a workflow task or an activity is outstanding, so when this
    returns, whatever those timers woke has been done, mail included.
    """
    now = await env.get_current_time()
    assert instant > now, f"cannot go back from {now} to {instant}"
    await env.sleep(instant - now)


async def no_new_mail(env: WorkflowEnvironment, boxes: list[Mailbox], until: datetime) -> None:
    """Skip virtual time to `until` and check no box got mail beyond what the test has read."""
    await advance_to(env, until)
    await asyncio.sleep(SETTLE)
    assert [box.unread() for box in boxes] == [[] for _ in boxes]
