"""R9: the group mails, through the shared outbox and a real SMTP server, rendered from templates/group/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import domain.group_transitions
from activities.groupmail import GroupMailActivities, GroupNoticeBatch
from activities.mail.links import group_url
from config.settings import Settings
from domain.groups import GroupStage, GroupSummary
from domain.notices import Notice
from domain.people import Student
from domain.vocabulary import MailLanguage, Role
from rendering.env import MAIL_TEMPLATES_DIR as TEMPLATES_DIR
from store import outbox
from store.db import session
from store.directory import upsert_student
from store.outbox import OutboxStatus
from tests.activities.support import STUDENT, html_of, text_of
from tests.support.mailsink import MailSink

CJK = re.compile(r"[\u4e00-\u9fff]")
PARTNER = Student(id="B11200002", name="Wang Chih-Ming", email="b11200002@mail.example.edu")
GROUP = GroupSummary(
    id="0123456789abcdef",
    title="Beach clean-up at Fulong",
    category="external",
    stage=GroupStage.APPROVED,
    applicant_id=STUDENT.id,
    member_ids=[STUDENT.id, PARTNER.id],
)
# Who receives each group mail, with what context (as domain/groups.py emits them).
CASES: dict[str, tuple[Role, str, dict[str, str], str]] = {
    "group/submitted": (Role.CENTER, "center", {}, "Group proposal submitted for review"),
    "group/approved": (Role.STUDENT, PARTNER.id, {"comment": "Good plan."}, "Group proposal approved"),
    "group/changes_requested": (Role.STUDENT, STUDENT.id, {"comment": "Say which beach."}, "Changes requested"),
    "group/rejected": (Role.STUDENT, STUDENT.id, {"comment": "Not social practice."}, "not approved"),
}


@pytest.fixture
def group_mail(mail_settings: Settings, db_engine: Engine) -> GroupMailActivities:
    with session(db_engine) as s:
        upsert_student(s, PARTNER)
    return GroupMailActivities(mail_settings, db_engine)


def group_notice(template: str) -> Notice:
    role, to_id, context, _ = CASES[template]
    key = f"group:{GROUP.id}:{template}:2:{role.value}:{to_id}"
    return Notice(key=key, template=template, to_role=role, to_id=to_id, context=context)


def emitted_templates() -> set[str]:
    """Every template passed to `notify(...)` in domain/group_transitions.py, found by parsing the source."""
    tree = ast.parse(Path(domain.group_transitions.__file__).read_text(encoding="utf-8"))
    return {
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "notify"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    }


def test_every_group_mail_has_a_template_and_a_case() -> None:
    """Each group mail the domain owes has templates/group/<name>.j2, and no template is orphaned."""
    on_disk = {f"group/{path.stem}" for path in (TEMPLATES_DIR / "group").glob("*.j2")}
    assert emitted_templates() == on_disk == set(CASES)


@pytest.mark.parametrize("template", sorted(CASES))
async def test_each_group_mail_is_sent_once_in_both_languages(
    template: str, group_mail: GroupMailActivities, sink: MailSink, db_engine: Engine, mail_settings: Settings
) -> None:
    """R9: each group mail reaches its person, says what happened and what to do next in English and then
    Chinese, links to the group, and is sent once per key however often the batch is retried."""
    note = group_notice(template)
    batch = GroupNoticeBatch(group=GROUP, notices=[note])
    await group_mail.deliver_group_notices(batch)
    await group_mail.deliver_group_notices(batch)

    [message] = sink.messages
    role, to_id, context, subject = CASES[template]
    expected = mail_settings.center_email if role is Role.CENTER else f"{to_id.lower()}@mail.example.edu"
    assert message["To"].addresses[0].addr_spec == expected
    assert subject in message["Subject"]
    text = text_of(message)
    assert GROUP.title in text and group_url(mail_settings, GROUP.id) in text
    assert text.index("What to do next") < text.index("下一步") and CJK.search(text)
    for value in context.values():
        assert value in text
    assert "Project stage" not in text  # a group mail is about no single project
    assert GROUP.title in html_of(message)
    with session(db_engine) as s:
        entry = outbox.get_entry(s, note.key)
    assert entry is not None and entry.status is OutboxStatus.SENT


async def test_approval_mail_names_the_group_and_its_members(group_mail: GroupMailActivities, sink: MailSink) -> None:
    """R9: the approval tells each member to submit an individual proposal linked to this group, and that
    credit, hours and evidence stay individual."""
    await group_mail.deliver_group_notices(GroupNoticeBatch(group=GROUP, notices=[group_notice("group/approved")]))

    text = text_of(sink.messages[0])
    assert f"submit your individual proposal linked to group {GROUP.id}" in text
    assert f"submitted by {STUDENT.name} ({STUDENT.id})" in text
    assert "one of its 2 members" in text
    assert "Credit, hours and evidence stay individual" in text


async def test_unknown_member_is_undeliverable_and_does_not_block(
    group_mail: GroupMailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """A member missing from the directory is recorded as undeliverable; the other members still get theirs."""
    ghost = group_notice("group/approved").model_copy(update={"to_id": "B0000GHOST", "key": "group:x:ghost"})
    await group_mail.deliver_group_notices(
        GroupNoticeBatch(group=GROUP, notices=[ghost, group_notice("group/approved")])
    )

    assert len(sink.messages) == 1
    with session(db_engine) as s:
        entry = outbox.get_entry(s, "group:x:ghost")
    assert entry is not None and entry.status is OutboxStatus.UNDELIVERABLE


async def test_a_group_member_who_prefers_english_gets_english_only_mail(
    group_mail: GroupMailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """Issue 4: a student's own language applies to group mail too; the center's stays on the default."""
    with session(db_engine) as s:
        upsert_student(s, PARTNER.model_copy(update={"language": MailLanguage.EN}))
    await group_mail.deliver_group_notices(
        GroupNoticeBatch(group=GROUP, notices=[group_notice("group/approved"), group_notice("group/submitted")])
    )
    to_partner, to_center = sink.messages
    assert to_partner["Content-Language"] == "en"
    assert CJK.search(text_of(to_partner)) is None
    assert to_center["Content-Language"] == "en, zh-Hant"
    assert CJK.search(text_of(to_center)) is not None
