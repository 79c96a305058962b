"""Action links the realistic way: drive a project through the portal API until the worker mails a link,
then read the `/a/{token}` path out of the mail the SMTP sink caught."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.activities.support import text_of
from tests.api.portal import REFLECTION_CAPTION, Portal, jpeg, png
from tests.support.mailsink import MailSink

LINK = re.compile(r"https?://[^\s/]+(/a/[A-Za-z0-9_.-]+)")
MAIL_WAIT = 10.0


async def mailed_link(
    sink: MailSink, address: str, subject: str, *, containing: str | None = None, nth: int = 1
) -> str:
    """The path of the action link in the `nth` mail to `address` whose subject contains `subject`."""
    try:
        async with asyncio.timeout(MAIL_WAIT):
            while True:
                found = [
                    m
                    for m in sink.to(address)
                    if subject in str(m["Subject"]) and (containing is None or containing in text_of(m))
                ]
                if len(found) >= nth:
                    match = LINK.search(text_of(found[nth - 1]))
                    assert match is not None, f"no action link in {found[nth - 1]['Subject']}"
                    return match.group(1)
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"no mail {subject!r} #{nth} to {address}") from None


def faculty_email(faculty_id: str) -> str:
    """The address Portal.add_faculty gives a teacher."""
    return f"{faculty_id.lower()}@staff.example.edu"


@dataclass
class Linked:
    """A project waiting on an emailed link: its ids and the link's path."""

    project_id: str
    student_id: str
    holder_id: str
    path: str


class Links:
    """Brings a project to where Praxis mails each kind of action link."""

    def __init__(self, portal: Portal, sink: MailSink) -> None:
        self.portal = portal
        self.sink = sink

    async def invitation(self, reflection_format: str = "conversation") -> Linked:
        """R11: a teacher invited to supervise, and the link in the invitation mail."""
        project_id, student_id = await self.portal.approved()
        faculty = await self.portal.add_faculty()
        body = {"faculty_email": faculty["email"], "reflection_format": reflection_format}
        url = f"/v1/projects/{project_id}/invitation"
        self.portal.ok(await self.portal.http.post(url, json=body, headers=self.portal.student(student_id)))
        path = await mailed_link(self.sink, faculty["email"], "Invitation to supervise")
        return Linked(project_id, student_id, faculty["id"], path)

    async def evaluation(self, photo_size: tuple[int, int] = (64, 48)) -> Linked:
        """R19: a closure report submitted, and the link in the evaluation mail to the supervisor."""
        project_id, student_id, faculty_id = await self.portal.in_progress()
        await self.portal.log_required_hours(project_id, student_id)
        for n, color in enumerate(("#c0392b", "#2e86c1", "#229954")):
            photo = jpeg(size=photo_size, color=color)
            self.portal.ok(await self.portal.upload(project_id, student_id, photo, filename=f"p{n}.jpg"), 201)
        reflection = await self.portal.upload(
            project_id, student_id, png(), kind="reflection", caption=REFLECTION_CAPTION, filename="talk.png"
        )
        self.portal.ok(reflection, 201)
        await self.portal.submit_closure(project_id, student_id)
        path = await mailed_link(self.sink, faculty_email(faculty_id), "Closure report to evaluate")
        return Linked(project_id, student_id, faculty_id, path)

    async def club_hours(self, osa_email: str) -> tuple[Linked, dict[str, Any]]:
        """R15: hours done through an on-campus club, and the link in the mail to OSA naming the entry."""
        project_id, student_id, _faculty_id = await self.portal.in_progress()
        outcome = await self.portal.log_hours(
            project_id, student_id, 4, date(2026, 3, 9), source="campus_club", description="Campus tutoring club"
        )
        entry_id = outcome["created_id"]
        path = await mailed_link(self.sink, osa_email, "Club hours to verify", containing=entry_id)
        entry = next(e for e in (await self.portal.view(project_id))["hours"] if e["id"] == entry_id)
        return Linked(project_id, student_id, "osa", path), entry
