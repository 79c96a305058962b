"""The mail activity against a real SMTP server and a real SQLite store (SPEC §4 action links, R8-R22 notices)."""

from __future__ import annotations

import ast
import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import ActivityEnvironment

import domain
from activities.contracts import NoticeBatch
from activities.mail.links import ACTION_LINKS, project_url
from activities.mail.notices import MailActivities
from activities.mail.rendering import MailView, render_notice, template_names
from activities.mail.sending import encoded_subject, message_id
from config.settings import Settings
from domain import labels
from domain.deadlines import INVITATION_EXPIRY_DAYS, evaluation_moments, invitation_moments
from domain.links import LinkAction
from domain.notices import Notice
from domain.project import ProjectSummary
from domain.stages import Stage
from domain.vocabulary import EvaluationResult, MailLanguage, Role
from rendering.words import en_date, zh_date
from store import outbox, tokens
from store.db import session
from store.directory import upsert_faculty, upsert_student
from store.outbox import OutboxStatus
from tests.activities.support import (
    FACULTY,
    LINK,
    PROJECT_ID,
    STUDENT,
    T0,
    html_of,
    notice,
    summary,
    text_of,
)
from tests.support.mailsink import MailSink

CJK = re.compile(r"[\u4e00-\u9fff]")
SECRET = "test-action-link-secret-0123456789abcdef"

# --- which templates the domain uses ----------------------------------------------------------------

# f-strings passed to notify(), with every value they can take. A new dynamic name fails the scan below
# until it is listed here, so no template name can slip past unchecked.
DYNAMIC_NAMES = {"evaluation_{}": {f"evaluation_{r.value}" for r in EvaluationResult}}


def _names_in(call: ast.Call, function: ast.AST, module: ast.Module, where: str) -> set[str]:
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.JoinedStr):
        pattern = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in arg.values)
        assert pattern in DYNAMIC_NAMES, f"{where}: notify({pattern!r}): list its values in DYNAMIC_NAMES"
        return DYNAMIC_NAMES[pattern]
    if isinstance(arg, ast.Subscript) and isinstance(arg.value, ast.Name):
        # `state.notify(REVIEW_MAILS[decision], ...)`: every value of the module's dict literal.
        for statement in module.body:
            named = isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == arg.value.id for t in statement.targets
            )
            if named and isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict):
                values = statement.value.values
                return {v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
    if isinstance(arg, ast.Name):
        # `template = {...}[decision]; state.notify(template, ...)`: every value of the dict literal.
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets):
                source = node.value.value if isinstance(node.value, ast.Subscript) else node.value
                if isinstance(source, ast.Dict):
                    return {v.value for v in source.values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
    raise AssertionError(f"{where}: cannot tell which templates notify({ast.unparse(arg)}) names")


def domain_template_names() -> set[str]:
    """Every project notice template name passed to `notify(...)` anywhere in domain/, found by parsing the
    source (group notices, `group/<name>`, have their own templates and tests)."""
    names: set[str] = set()
    for path in sorted(Path(domain.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "notify"
                    and call.args
                ):
                    names |= _names_in(call, function, tree, f"{path.name}:{call.lineno}")
    return {name for name in names if not name.startswith("group/")}


def test_every_notice_the_domain_emits_has_a_mail_template() -> None:
    """Every `state.notify(template, ...)` in domain/ must have rendering/templates/mail/<template>.j2."""
    used = domain_template_names()
    assert len(used) >= 17  # the scan itself works: it finds at least the names known today
    assert used - template_names() == set()


def test_every_mail_template_belongs_to_a_notice() -> None:
    """No orphan templates: a renamed notice must not leave its old mail behind."""
    assert template_names() - domain_template_names() == set()


# --- rendering --------------------------------------------------------------------------------------

_DEADLINE = {
    "deadline": "2027-01-31T16:00:00+00:00",
    "submit_by": "2027-01-17T16:00:00+00:00",
    "semester_id": "2026-fall",
}

# Who receives each notice, in which stage, with what context (as domain/transitions.py and nudges.py emit).

CASES: dict[str, tuple[Role, str, Stage, dict[str, str]]] = {
    "proposal_approved": (Role.STUDENT, STUDENT.id, Stage.NEEDS_SUPERVISOR, {"comment": "Clear plan."}),
    "proposal_changes_requested": (Role.STUDENT, STUDENT.id, Stage.CHANGES_REQUESTED, {"comment": "Add dates."}),
    "proposal_rejected": (Role.STUDENT, STUDENT.id, Stage.REJECTED, {"comment": "Not social practice."}),
    "invitation": (Role.FACULTY, FACULTY.id, Stage.SUPERVISOR_INVITED, {"invitation_seq": "1"}),
    "invitation_reminder": (Role.FACULTY, FACULTY.id, Stage.SUPERVISOR_INVITED, {"day": "3"}),
    "invitation_cancelled": (Role.FACULTY, FACULTY.id, Stage.NEEDS_SUPERVISOR, {}),
    "invitation_accepted": (Role.STUDENT, STUDENT.id, Stage.IN_PROGRESS, {"reflection_format": "conversation"}),
    "invitation_declined": (Role.STUDENT, STUDENT.id, Stage.NEEDS_SUPERVISOR, {"reason": "On sabbatical."}),
    "invitation_expired": (Role.STUDENT, STUDENT.id, Stage.NEEDS_SUPERVISOR, {}),
    "club_hours_to_verify": (Role.OSA, "osa", Stage.IN_PROGRESS, {"entry_id": "h-0001"}),
    "evaluation_requested": (Role.FACULTY, FACULTY.id, Stage.EVALUATION_PENDING, {"submission_seq": "1"}),
    "evaluation_reminder": (
        Role.FACULTY,
        FACULTY.id,
        Stage.EVALUATION_PENDING,
        {"day": "7"},
    ),
    "evaluation_overdue": (
        Role.CENTER,
        "center",
        Stage.EVALUATION_PENDING,
        {"day": "21"},
    ),
    "evaluation_pass": (Role.STUDENT, STUDENT.id, Stage.PASSED, {"credit": "TC1010 credit recorded in 2026-fall"}),
    "evaluation_fail": (Role.STUDENT, STUDENT.id, Stage.FAILED, {"feedback": "No reflection record."}),
    "evaluation_revise": (Role.STUDENT, STUDENT.id, Stage.REVISION_REQUESTED, {"feedback": "Expand the narrative."}),
    "project_withdrawn": (Role.FACULTY, FACULTY.id, Stage.WITHDRAWN, {}),
    # R22: leaving supervisors
    "deadline_set": (Role.STUDENT, STUDENT.id, Stage.IN_PROGRESS, {**_DEADLINE, "invited": "", "changed": ""}),
    "deadline_reminder": (Role.FACULTY, FACULTY.id, Stage.EVALUATION_PENDING, {**_DEADLINE, "days": "7"}),
    "reassignment_needed": (Role.CENTER, "center", Stage.EVALUATION_PENDING, _DEADLINE),
    "supervisor_departed": (Role.STUDENT, STUDENT.id, Stage.EVALUATION_PENDING, {**_DEADLINE, "invited": ""}),
    "evaluation_assigned": (
        Role.FACULTY,
        FACULTY.id,
        Stage.EVALUATION_PENDING,
        {"submission_seq": "1", "reason": "The supervisor left."},
    ),
    "supervisor_assigned": (Role.FACULTY, FACULTY.id, Stage.IN_PROGRESS, {"reason": "The supervisor left."}),
    "supervisor_changed": (Role.STUDENT, STUDENT.id, Stage.IN_PROGRESS, {"reason": "The supervisor left."}),
    "supervisor_replaced": (Role.FACULTY, FACULTY.id, Stage.IN_PROGRESS, {"reason": "The supervisor left."}),
    "deadline_lifted": (Role.STUDENT, STUDENT.id, Stage.IN_PROGRESS, {}),
    "reassignment_withdrawn": (Role.CENTER, "center", Stage.EVALUATION_PENDING, {"deadline": ""}),
    "mail_undeliverable": (
        Role.CENTER,
        "center",
        Stage.SUPERVISOR_INVITED,
        {"mail": "invitation", "recipient_role": "faculty", "recipient_id": "T001", "reason": "recipient refused"},
    ),
}


# The dates the domain puts in these notices' context (domain.deadlines), from when the situation began.
INVITED = {"invitation", "invitation_reminder"}
WAITING = {"evaluation_requested", "evaluation_reminder", "evaluation_overdue", "evaluation_assigned"}


def case(template: str, since: datetime = T0) -> tuple[ProjectSummary, Notice]:
    role, to_id, stage, context = CASES[template]
    if template in INVITED:
        context = {**context, **invitation_moments(since)}
    if template in WAITING:
        day = context.get("day")
        context = {**context, **evaluation_moments(since, since, int(day) if day else None)}
    return summary(stage, since=since), notice(template, role, to_id).model_copy(update={"context": context})


def test_the_cases_cover_every_template() -> None:
    """The rendering and delivery tests below exercise every template there is."""
    assert set(CASES) == template_names()


@pytest.mark.parametrize("template", sorted(CASES))
def test_each_template_renders_english_then_chinese(template: str) -> None:
    """Each mail says what happened and what to do next, in English first and then Traditional Chinese."""
    project, note = case(template)
    view = MailView(summary=project, notice=note, recipient_name="Lin Mei-Hua", student="Lin", supervisor="Chen")
    content = render_notice(view, center_email="cge@mail.example.edu")
    assert content.subject.startswith("[Praxis] ")
    assert project.title in content.subject
    assert CJK.search(content.subject)
    for body in (content.text, content.html):
        assert project.title in body
        assert "What to do next" in body
        assert "下一步" in body
        assert body.index("What to do next") < body.index("下一步")
    assert project.stage.value in content.text  # SPEC §3: emails use the stage names


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_single_language_can_be_chosen(language: str) -> None:
    """settings.mail_language: bilingual by default, or English only, or Chinese only."""
    project, note = case("proposal_approved")
    view = MailView(summary=project, notice=note, recipient_name="Lin", student="Lin", supervisor=None)
    content = render_notice(view, language=MailLanguage(language), center_email="cge@x.edu")
    has_chinese_body = "下一步" in content.text
    has_english_body = "What to do next" in content.text
    assert (has_english_body, has_chinese_body) == ((True, False) if language == "en" else (False, True))


def test_html_escapes_what_people_typed() -> None:
    """Titles and comments come from students and reviewers; the HTML part must not interpret them."""
    project = summary(Stage.CHANGES_REQUESTED, title='<script>alert("x")</script> & co')
    note = notice("proposal_changes_requested", Role.STUDENT, STUDENT.id, comment="<b>bold</b>")
    view = MailView(summary=project, notice=note, recipient_name="Lin", student="Lin", supervisor=None)
    content = render_notice(view, center_email="cge@x.edu")
    assert "<script>" not in content.html
    assert "<b>bold</b>" not in content.html
    assert "&lt;script&gt;" in content.html
    assert "<b>bold</b>" in content.text  # the text part shows it as typed


def test_invitation_says_by_when_in_taipei_time() -> None:
    """R12: the invitation lapses 14 days after it was sent; the mail names that moment in both languages."""
    invited_at = datetime(2026, 9, 8, 6, 30, tzinfo=UTC)
    project = summary(Stage.SUPERVISOR_INVITED, since=invited_at)
    note = notice("invitation", Role.FACULTY, FACULTY.id).model_copy(
        update={"context": {"invitation_seq": "1", **invitation_moments(invited_at)}}
    )
    view = MailView(summary=project, notice=note, recipient_name="Chen", student="Lin", supervisor=None)
    content = render_notice(view, center_email="cge@x.edu")
    lapses = invited_at + timedelta(days=INVITATION_EXPIRY_DAYS)
    assert en_date(lapses) == "Tuesday 22 September 2026, 14:30 (Taipei time)"
    assert en_date(lapses) in content.text
    assert zh_date(lapses) in content.text


# --- delivery ---------------------------------------------------------------------------------------


def sent_entries(engine: Engine) -> list[outbox.OutboxEntry]:
    with session(engine) as s:
        return outbox.list_entries(s, PROJECT_ID)


def token_in(text: str) -> str:
    match = LINK.search(text)
    assert match is not None, "no action link in the mail"
    return match.group(0).rsplit("/", 1)[1]


@pytest.mark.parametrize("template", sorted(CASES))
async def test_each_notice_is_delivered_with_the_link_it_needs(
    template: str, mail: MailActivities, sink: MailSink, db_engine: Engine, mail_settings: Settings
) -> None:
    """SPEC §4: supervisors' invitation/evaluation mails and OSA's verification mail carry a signed action link
    bound to that person, action and project; students and the center get the project link instead."""
    project, note = case(template, since=datetime.now(UTC) - timedelta(days=1))
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[note]))
    [message] = sink.messages
    assert message["Subject"]
    text, html = text_of(message), html_of(message)
    assert CJK.search(text)
    assert "What to do next" in text
    if template in ACTION_LINKS:
        token = token_in(text)
        assert token in html
        with session(db_engine) as s:
            claims = tokens.load_link(s, SECRET, token, datetime.now(UTC))
        action, _ = ACTION_LINKS[template]
        assert (claims.subject_id, claims.action, claims.project_id) == (note.to_id, action, PROJECT_ID)
        assert "works once" in text
    else:
        assert LINK.search(text) is None
    project_link = project_url(mail_settings, PROJECT_ID)
    assert (project_link in text) is (note.to_role in (Role.STUDENT, Role.CENTER))


async def test_delivering_the_same_batch_twice_sends_each_mail_once(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """Notice keys make a retried batch idempotent: the outbox skips what was already sent."""
    project = summary(Stage.NEEDS_SUPERVISOR)
    batch = NoticeBatch(
        summary=project,
        notices=[
            notice("proposal_approved", Role.STUDENT, STUDENT.id, revision=2),
            notice("invitation_cancelled", Role.FACULTY, FACULTY.id, revision=3),
        ],
    )
    await mail.deliver_notices(batch)
    await mail.deliver_notices(batch)
    assert [m["To"].addresses[0].addr_spec for m in sink.messages] == [STUDENT.email, FACULTY.email]
    entries = sent_entries(db_engine)
    assert [(e.status, e.attempts) for e in entries] == [(OutboxStatus.SENT, 1), (OutboxStatus.SENT, 1)]
    assert {e.recipient for e in entries} == {STUDENT.email, FACULTY.email}


async def test_smtp_refusal_raises_then_the_retry_delivers_exactly_one_mail(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """An SMTP outage (451) fails the activity so Temporal retries with backoff; the error is kept on the
    outbox row; the retry delivers, and exactly one mail arrives in total, with the same link and Message-ID."""
    project, note = case("evaluation_requested", since=datetime.now(UTC))
    batch = NoticeBatch(summary=project, notices=[note])
    env = ActivityEnvironment()
    sink.refuse_next = 1
    with pytest.raises(Exception, match="451"):
        await env.run(mail.deliver_notices, batch)
    assert sink.messages == []
    [failed] = sent_entries(db_engine)
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 1)
    assert failed.last_error is not None and "451" in failed.last_error
    assert failed.token_id is not None

    await env.run(mail.deliver_notices, batch)
    await env.run(mail.deliver_notices, batch)
    [message] = sink.messages
    [sent] = sent_entries(db_engine)
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 2)
    assert token_in(text_of(message)).split(".")[0] == failed.token_id  # the retry re-sent the same link
    assert message["Message-ID"] == message_id(note.key, "praxis@localhost")
    assert STUDENT.id not in message["Message-ID"]


async def test_a_failure_midway_resends_only_what_is_still_owed(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """Notices go in order; when the second fails, the retried batch does not send the first again."""
    project = summary(Stage.IN_PROGRESS)
    first = notice("invitation_accepted", Role.STUDENT, STUDENT.id, revision=4, reflection_format="conversation")
    second = notice("club_hours_to_verify", Role.OSA, "osa", revision=5, entry_id="h-1")
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[first]))
    sink.refuse_next = 1
    with pytest.raises(Exception, match="451"):
        await mail.deliver_notices(NoticeBatch(summary=project, notices=[first, second]))
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[first, second]))
    assert [m["To"].addresses[0].addr_spec for m in sink.messages] == [STUDENT.email, "osa@mail.example.edu"]


async def test_recipients_are_resolved_for_each_role(mail: MailActivities, sink: MailSink) -> None:
    """Students and teachers come from the directory by id (with their names); the center and OSA from settings."""
    batch = NoticeBatch(
        summary=summary(Stage.EVALUATION_PENDING),
        notices=[
            notice("evaluation_requested", Role.FACULTY, FACULTY.id, revision=1, submission_seq="1"),
            notice("evaluation_overdue", Role.CENTER, "center", revision=2, day="21"),
            notice("club_hours_to_verify", Role.OSA, "osa", revision=3, entry_id="h-2"),
            notice("evaluation_revise", Role.STUDENT, STUDENT.id, revision=4, feedback="More detail."),
        ],
    )
    await mail.deliver_notices(batch)
    to = [(m["To"].addresses[0].addr_spec, m["To"].addresses[0].display_name) for m in sink.messages]
    assert to == [
        (FACULTY.email, FACULTY.name),
        ("cge@mail.example.edu", "Center for General Education"),
        ("osa@mail.example.edu", "Office of Student Affairs"),
        (STUDENT.email, STUDENT.name),
    ]
    assert f"{STUDENT.name} ({STUDENT.id})" in text_of(sink.messages[0])  # the teacher learns who is asking


async def test_a_recipient_missing_from_the_directory_is_undeliverable_not_retried_forever(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """A notice for someone the directory does not know is recorded undeliverable and skipped; the batch
    succeeds, later notices still go, and a retry does not try it again."""
    project = summary(Stage.NEEDS_SUPERVISOR)
    ghost = notice("invitation_cancelled", Role.FACULTY, "T9999", revision=2)
    after = notice("proposal_approved", Role.STUDENT, STUDENT.id, revision=3)
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[ghost, after]))
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[ghost, after]))
    assert [m["To"].addresses[0].addr_spec for m in sink.messages] == [STUDENT.email]
    with session(db_engine) as s:
        entry = outbox.get_entry(s, ghost.key)
    assert entry is not None
    assert entry.status is OutboxStatus.UNDELIVERABLE
    assert entry.last_error is not None and "T9999" in entry.last_error


async def test_an_address_the_server_refuses_for_good_is_undeliverable(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """550 (no such mailbox) will not change by retrying: the mail is recorded undeliverable, the batch goes on."""
    sink.unknown.add(STUDENT.email)
    note = notice("proposal_approved", Role.STUDENT, STUDENT.id)
    await mail.deliver_notices(NoticeBatch(summary=summary(), notices=[note]))
    [entry] = sent_entries(db_engine)
    assert entry.status is OutboxStatus.UNDELIVERABLE
    assert entry.last_error is not None and "550" in entry.last_error
    assert sink.messages == []


async def test_invitation_link_is_bound_and_never_outlives_the_invitation(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """R11/R12 + SPEC §4: the invitation link is for that teacher, that project and that invitation (ref = seq),
    and expires no later than the invitation itself (14 days after it was sent)."""
    invited_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    project = summary(Stage.SUPERVISOR_INVITED, since=invited_at)
    invitation = notice("invitation", Role.FACULTY, FACULTY.id, invitation_seq="2")
    invitation.context |= invitation_moments(invited_at)  # as the domain owes it (domain.deadlines)
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[invitation]))
    [message] = sink.messages
    with session(db_engine) as s:
        claims = tokens.load_link(s, SECRET, token_in(text_of(message)), datetime.now(UTC))
    assert claims.action is LinkAction.RESPOND_INVITATION
    assert (claims.subject_id, claims.project_id, claims.ref) == (FACULTY.id, PROJECT_ID, "2")
    assert claims.expires_at == invited_at + timedelta(days=INVITATION_EXPIRY_DAYS)
    assert en_date(claims.expires_at) in text_of(message)


async def test_reminders_carry_a_link_for_the_same_invitation(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """R12: reminders (whose context has only the day) link to the invitation the first mail was about."""
    project = summary(Stage.SUPERVISOR_INVITED, since=datetime.now(UTC) - timedelta(days=3))
    first = notice("invitation", Role.FACULTY, FACULTY.id, revision=5, invitation_seq="3")
    reminder = notice("invitation_reminder", Role.FACULTY, FACULTY.id, revision=6, day="3")
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[first, reminder]))
    with session(db_engine) as s:
        refs = [tokens.load_link(s, SECRET, token_in(text_of(m)), datetime.now(UTC)).ref for m in sink.messages]
    assert refs == ["3", "3"]


async def test_language_setting_applies_to_delivered_mail(
    mail_settings: Settings, db_engine: Engine, sink: MailSink
) -> None:
    """settings.mail_language = "en" sends English only, and says so in Content-Language."""
    english = MailActivities(mail_settings.model_copy(update={"mail_language": "en"}), db_engine)
    await english.deliver_notices(
        NoticeBatch(summary=summary(), notices=[notice("proposal_approved", Role.STUDENT, STUDENT.id)])
    )
    [message] = sink.messages
    assert CJK.search(text_of(message)) is None
    assert message["Content-Language"] == "en"


# --- issue 4: each person's own mail language -------------------------------------------------------


def _prefer(db_engine: Engine, *, faculty: MailLanguage | None = None, student: MailLanguage | None = None) -> None:
    with session(db_engine) as s:
        upsert_faculty(s, FACULTY.model_copy(update={"language": faculty}))
        upsert_student(s, STUDENT.model_copy(update={"language": student}))


async def test_a_teacher_who_prefers_english_gets_english_only_mail(
    mail: MailActivities, sink: MailSink, db_engine: Engine
) -> None:
    """Issue 4: a teacher who prefers English gets English-only mail, while the student without a preference
    still gets the course default (bilingual) in the same batch."""
    _prefer(db_engine, faculty=MailLanguage.EN)
    project = summary(Stage.SUPERVISOR_INVITED, since=datetime.now(UTC) - timedelta(days=1))
    await mail.deliver_notices(
        NoticeBatch(
            summary=project,
            notices=[
                notice("invitation", Role.FACULTY, FACULTY.id, invitation_seq="1"),
                notice("proposal_approved", Role.STUDENT, STUDENT.id),
            ],
        )
    )
    to_teacher, to_student = sink.messages
    assert FACULTY.email in to_teacher["To"]
    assert CJK.search(text_of(to_teacher)) is None
    assert CJK.search(to_teacher["Subject"]) is None
    assert to_teacher["Content-Language"] == "en"
    assert ("What to do next" in text_of(to_student), "下一步" in text_of(to_student)) == (True, True)
    assert to_student["Content-Language"] == "en, zh-Hant"


async def test_a_student_who_prefers_chinese_gets_chinese_only_mail_whatever_the_default(
    mail_settings: Settings, db_engine: Engine, sink: MailSink
) -> None:
    """Issue 4: a student who prefers Traditional Chinese gets Chinese-only mail even when the course default
    is English; a teacher whose preference is `bilingual` gets both languages despite that default."""
    _prefer(db_engine, faculty=MailLanguage.BILINGUAL, student=MailLanguage.ZH)
    english_default = MailActivities(mail_settings.model_copy(update={"mail_language": MailLanguage.EN}), db_engine)
    project = summary(Stage.SUPERVISOR_INVITED, since=datetime.now(UTC) - timedelta(days=1))
    await english_default.deliver_notices(
        NoticeBatch(
            summary=project,
            notices=[
                notice("proposal_approved", Role.STUDENT, STUDENT.id),
                notice("invitation", Role.FACULTY, FACULTY.id, invitation_seq="1"),
            ],
        )
    )
    to_student, to_teacher = sink.messages
    assert to_student["Content-Language"] == "zh-Hant"
    assert ("What to do next" in text_of(to_student), "下一步" in text_of(to_student)) == (False, True)
    assert to_teacher["Content-Language"] == "en, zh-Hant"
    assert CJK.search(text_of(to_teacher)) is not None


async def test_center_mail_stays_on_the_course_default(
    mail_settings: Settings, db_engine: Engine, sink: MailSink
) -> None:
    """Issue 4: the center's mail follows settings.mail_language, whatever the student and teacher prefer."""
    _prefer(db_engine, faculty=MailLanguage.ZH, student=MailLanguage.ZH)
    english_default = MailActivities(mail_settings.model_copy(update={"mail_language": MailLanguage.EN}), db_engine)
    project, overdue = case("evaluation_overdue")
    await english_default.deliver_notices(NoticeBatch(summary=project, notices=[overdue]))
    [message] = sink.messages
    assert message["Content-Language"] == "en"
    assert CJK.search(text_of(message)) is None


@pytest.mark.parametrize("template", sorted(CASES))
async def test_mails_say_stages_in_words_and_subjects_keep_single_spaces(
    template: str, mail: MailActivities, sink: MailSink
) -> None:
    """Issue 12: a mail names the project's stage as people read it ("Evaluation pending", 成果報告評核中), its
    code (SPEC §3's name) only in brackets after the words, and no other stage's code; its subject, as the
    recipient's mail program decodes it after SMTP, has no double space before the Chinese."""
    project, note = case(template, since=datetime.now(UTC) - timedelta(days=1))
    await mail.deliver_notices(NoticeBatch(summary=project, notices=[note]))
    [message] = sink.messages
    label, code = labels.label(project.stage), project.stage.value
    text = text_of(message)
    assert f"Project stage: {label.en} ({code})." in text and f"計畫目前階段：{label.zh}（{code}）。" in text  # noqa: RUF001
    for body in (text, html_of(message)):
        bare = body.replace(f"({code})", "").replace(f"（{code}）", "")  # noqa: RUF001
        assert not [stage for stage in Stage if stage.value in bare], template
    subject = str(message["Subject"])
    assert "  " not in subject and " / " in subject


def test_long_mixed_subjects_survive_folding() -> None:
    """Issue 12: whatever the title's length, a bilingual subject written by Praxis and read back after the
    SMTP serialisation (78-character lines) is exactly what was written: single spaces, nothing lost."""
    for length in range(1, 160, 3):
        title = ("Reading with children in Wanhua and their families " * 4)[:length].strip()
        subject = f"[Praxis] Club hours to verify: {title} / 待認證社團服務時數：{title}"  # noqa: RUF001
        message = EmailMessage()
        message.set_raw("Subject", encoded_subject(subject))
        message.set_content("x")
        raw = message.as_bytes(policy=email.policy.SMTP)
        assert all(len(line) <= 78 for line in raw.split(b"\r\n")), raw
        parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
        assert str(parsed["Subject"]) == subject
