"""R8: the review digest activity against a real SMTP server and a real SQLite read model."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import ActivityEnvironment

from activities.contracts import DigestRequest
from activities.digest import DigestActivities
from activities.mail.links import group_url, project_url
from config.settings import Settings
from domain.actors import Actor
from domain.group_transitions import new_group
from domain.groups import GroupProposal, build_group_view
from domain.stages import Stage
from domain.vocabulary import Role
from store import outbox
from store.db import session
from store.groups import save_group
from store.outbox import OutboxStatus
from store.projects import save_project
from tests.activities.support import T0, html_of, summary, text_of
from tests.support.mailsink import MailSink

CJK = re.compile(r"[\u4e00-\u9fff]")
AT = T0 + timedelta(days=10, hours=-1)  # 2026-09-17 01:00 UTC: 09:00 in Taipei
CENTER = "cge@mail.example.edu"


@pytest.fixture
def digest(mail_settings: Settings, db_engine: Engine) -> DigestActivities:
    return DigestActivities(mail_settings, db_engine)


def store(engine: Engine, project_id: str, stage: Stage, since: datetime, title: str, priority: str = "normal") -> None:
    with session(engine) as s:
        save_project(s, summary(stage, since=since, id=project_id, title=title, priority=priority), [])


def digest_entry(engine: Engine, key: str) -> outbox.OutboxEntry | None:
    with session(engine) as s:
        return outbox.get_entry(s, key)


async def test_digest_lists_only_proposals_waiting_three_days(
    digest: DigestActivities, sink: MailSink, db_engine: Engine, mail_settings: Settings
) -> None:
    """R8: one mail to the center listing each proposal unreviewed for 3 days or more (title, priority,
    days waiting, link to the project), longest waiting first, in English then Chinese; newer or reviewed
    proposals are left out."""
    store(db_engine, "p-old", Stage.PROPOSAL_REVIEW, AT - timedelta(days=6), "Beach clean-up", priority="high")
    store(db_engine, "p-three", Stage.PROPOSAL_REVIEW, AT - timedelta(days=3), "Tutoring in Wanhua")
    store(db_engine, "p-new", Stage.PROPOSAL_REVIEW, AT - timedelta(days=2), "Elderly care visits")
    store(db_engine, "p-done", Stage.NEEDS_SUPERVISOR, AT - timedelta(days=8), "Library service")

    result = await ActivityEnvironment().run(digest.send_review_digest, DigestRequest(at=AT))

    assert result.project_ids == ["p-old", "p-three"]
    [message] = sink.messages
    assert message["To"].addresses[0].addr_spec == CENTER
    # Full-width colons are the correct punctuation in Chinese text.
    assert message["Subject"] == "[Praxis] Proposals waiting for review: 2 / 待審計畫書：2 件"  # noqa: RUF001
    text = text_of(message)
    assert text.index("Beach clean-up") < text.index("Tutoring in Wanhua") < text.index("下一步")
    assert "Elderly care visits" not in text and "Library service" not in text
    assert '"Beach clean-up": high priority, waiting 6 days since' in text
    assert "「Beach clean-up」：優先順序高" in text  # noqa: RUF001
    assert '"Tutoring in Wanhua": normal priority, waiting 3 days' in text
    # Issue 12: each proposal links to its page (here Praxis's read-only page), none to a JSON route.
    assert project_url(mail_settings, "p-old") in text and project_url(mail_settings, "p-three") in text
    assert "/v1/" not in text
    assert "What to do next" in text and "By when" in text and CJK.search(text)
    html = html_of(message)
    assert html.count("<li>") == 4  # both proposals, in each language
    assert "Project stage" not in text  # the digest is about no single project
    entry = digest_entry(db_engine, "digest:2026-09-17")
    assert entry is not None and (entry.status, entry.recipient) == (OutboxStatus.SENT, CENTER)


async def test_one_digest_per_taipei_day(digest: DigestActivities, sink: MailSink, db_engine: Engine) -> None:
    """R8: a retried or repeated activity sends the day's digest once; the next day's goes out again."""
    store(db_engine, "p-old", Stage.PROPOSAL_REVIEW, AT - timedelta(days=4), "Beach clean-up")
    await digest.send_review_digest(DigestRequest(at=AT))
    await digest.send_review_digest(DigestRequest(at=AT + timedelta(minutes=5)))
    assert len(sink.messages) == 1
    await digest.send_review_digest(DigestRequest(at=AT + timedelta(days=1)))
    assert len(sink.messages) == 2
    assert "waiting 5 days" in text_of(sink.messages[1])


async def test_no_digest_when_nothing_waits(digest: DigestActivities, sink: MailSink, db_engine: Engine) -> None:
    """R8: with no proposal unreviewed for 3 days there is no mail at all."""
    store(db_engine, "p-new", Stage.PROPOSAL_REVIEW, AT - timedelta(days=1), "Elderly care visits")
    result = await digest.send_review_digest(DigestRequest(at=AT))
    assert result.project_ids == []
    assert sink.messages == []
    assert digest_entry(db_engine, "digest:2026-09-17") is None


async def test_smtp_outage_is_retried_and_one_digest_arrives(
    digest: DigestActivities, sink: MailSink, db_engine: Engine
) -> None:
    """R8 through the shared outbox: a 451 fails the activity (Temporal retries); the retry sends one mail."""
    store(db_engine, "p-old", Stage.PROPOSAL_REVIEW, AT - timedelta(days=4), "Beach clean-up")
    sink.refuse_next = 1
    with pytest.raises(Exception, match="review digest digest:2026-09-17 not sent"):
        await digest.send_review_digest(DigestRequest(at=AT))
    await digest.send_review_digest(DigestRequest(at=AT))
    await digest.send_review_digest(DigestRequest(at=AT))
    assert len(sink.messages) == 1
    entry = digest_entry(db_engine, "digest:2026-09-17")
    assert entry is not None and (entry.status, entry.attempts) == (OutboxStatus.SENT, 2)


async def test_group_proposals_waiting_three_days_are_in_the_digest(
    digest: DigestActivities, sink: MailSink, db_engine: Engine, mail_settings: Settings
) -> None:
    """R8/R9: a group proposal unreviewed for 3 days is listed beside the proposals, as a group with its
    member count and a link to the group's page (not a JSON route)."""
    proposal = GroupProposal.model_validate(
        {
            "title": "Beach clean-up at Fulong",
            "plan": "Three of us organise a monthly clean-up with the village association.",
            "category": "external",
            "indicators": [{"indicator": "civic_consciousness", "how": "Villagers and students keep the beach."}],
            "members": ["B1", "B2", "B3"],
        }
    )
    state = new_group("g-wait", Actor(id="B1", role=Role.STUDENT), proposal, AT - timedelta(days=5))
    with session(db_engine) as s:
        save_group(s, build_group_view(state))
    store(db_engine, "p-three", Stage.PROPOSAL_REVIEW, AT - timedelta(days=3), "Tutoring in Wanhua")

    result = await ActivityEnvironment().run(digest.send_review_digest, DigestRequest(at=AT))

    assert result.project_ids == ["g-wait", "p-three"]
    text = text_of(sink.messages[0])
    assert 'Group proposal of 3 students, "Beach clean-up at Fulong": normal priority, waiting 5 days' in text
    assert group_url(mail_settings, "g-wait") in text and "/v1/" not in text
    assert "3 人團體計畫書「Beach clean-up at Fulong」" in text
