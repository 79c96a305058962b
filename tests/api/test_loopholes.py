"""The course's rules without loopholes over HTTP (issue 12): R13, R15, R16, R17 as the portal meets them."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from tests.api.portal import REFLECTION_CAPTION, Portal, jpeg, unique
from tests.support.actionlinks import faculty_email, mailed_link
from tests.support.mailsink import MailSink


def noisy_photo(seed: int, size: tuple[int, int] = (160, 120), quality: int = 90) -> bytes:
    """A photo with structure (random blocks), so its perceptual hash means something."""
    rng = random.Random(seed)
    image = Image.new("RGB", (16, 12))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(16 * 12)])
    out = io.BytesIO()
    image.resize(size, Image.Resampling.NEAREST).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def pdf_document(text: str = "Reflection with my supervisor", pages: int = 1) -> bytes:
    document = FPDF()
    document.set_title("private title")
    document.set_author("Lin Yu-Ting")
    document.set_font("helvetica", size=12)
    for n in range(pages):
        document.add_page()
        document.cell(text=f"{text}, page {n + 1}")
    return bytes(document.output())


async def test_r13_a_teacher_whose_semester_ended_is_refused(portal: Portal) -> None:
    """R13: inviting a teacher whose `leaving_after` semester has already ended is refused (422
    SUPERVISOR_NOT_ELIGIBLE) with the reason, before the project is asked; nothing is written."""
    ended = {"starts_on": "2025-02-17", "final_exam_week_starts_on": "2025-06-16", "ends_on": "2025-07-31"}
    response = await portal.http.put("/v1/semesters/2025-spring", json=ended, headers=portal.center)
    assert response.status_code in (200, 201), response.text  # another test may have entered it already
    teacher = await portal.add_faculty(leaving_after="2025-spring")
    project_id, student_id = await portal.approved()
    body = {"faculty_email": teacher["email"], "reflection_format": "conversation"}
    refused = await portal.http.post(
        f"/v1/projects/{project_id}/invitation", json=body, headers=portal.student(student_id)
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "SUPERVISOR_NOT_ELIGIBLE"
    assert "left NTUST" in problem["detail"] and "2025-07-31" in problem["detail"]
    assert (await portal.view(project_id))["stage"] == "NEEDS_SUPERVISOR"


async def test_r15_club_hours_cannot_bypass_osa_by_source(portal: Portal) -> None:
    """R15: a `club` project's self-reported hours do not count; OSA-verified club hours do, and the view's
    checklist names the rule."""
    student_id = await portal.add_student()
    project_id = (await portal.submit(student_id, category="club"))["id"]
    await portal.approve(project_id)
    day = date(2026, 3, 2)
    await portal.log_hours(project_id, student_id, 12, day)
    view = await portal.view(project_id)
    assert float(view["counted_hours"]) == 0
    assert [entry["counts"] for entry in view["hours"]] == [False]  # the entry says so too
    [hours] = [m for m in view["missing"] if m["code"] == "HOURS_BELOW_MINIMUM"]
    assert "(R15)" in hours["detail"]
    club = await portal.log_hours(project_id, student_id, 4, day + timedelta(days=1), source="campus_club")
    url = f"/v1/projects/{project_id}/hours/{club['created_id']}/verification"
    verified = await portal.http.post(url, json={"verified": True, "note": "club roster"}, headers=portal.osa)
    assert verified.status_code == 200, verified.text
    counted = await portal.view(project_id)
    assert float(counted["counted_hours"]) == 4
    assert [entry["counts"] for entry in counted["hours"]] == [False, True]


async def test_r16_the_same_photo_counts_once_even_resaved(portal: Portal) -> None:
    """R16: the same picture again, byte for byte or re-encoded smaller (near-identical by perceptual hash
    and colour hash), is 409 DUPLICATE_EVIDENCE; another picture is accepted."""
    project_id, student_id = await portal.approved()
    first = await portal.upload(project_id, student_id, noisy_photo(1))
    assert first.status_code == 201, first.text
    for copy in (noisy_photo(1), noisy_photo(1, size=(120, 90), quality=70)):
        again = await portal.upload(project_id, student_id, copy)
        assert again.status_code == 409, again.text
        assert again.json()["code"] == "DUPLICATE_EVIDENCE"
        assert first.json()["created_id"] in again.json()["detail"]
    other = await portal.upload(project_id, student_id, noisy_photo(2))
    assert other.status_code == 201, other.text
    assert len((await portal.view(project_id))["evidence"]) == 2


async def test_r16_the_reflection_record_may_be_a_pdf(portal: Portal) -> None:
    """R16: a PDF reflection record is accepted, stored without its metadata and served as a PDF; a PDF is
    no participation photo, and a PDF that does not parse is UPLOAD_INVALID."""
    project_id, student_id = await portal.approved()
    response = await portal.upload(
        project_id,
        student_id,
        pdf_document(pages=2),
        kind="reflection",
        caption=REFLECTION_CAPTION,
        filename="reflection.pdf",
        content_type="application/pdf",
    )
    assert response.status_code == 201, response.text
    evidence_id = response.json()["created_id"]
    [item] = (await portal.view(project_id))["evidence"]
    assert item["blob"]["content_type"] == "application/pdf" and item["blob"]["pages"] == 2
    served = await portal.http.get(
        f"/v1/projects/{project_id}/evidence/{evidence_id}", headers=portal.student(student_id)
    )
    assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == f'attachment; filename="reflection-{evidence_id}.pdf"'
    reader = PdfReader(io.BytesIO(served.content))
    assert len(reader.pages) == 2
    assert reader.metadata is None or "/Author" not in reader.metadata
    as_photo = await portal.upload(
        project_id, student_id, pdf_document("Another"), filename="p.pdf", content_type="application/pdf"
    )
    assert as_photo.status_code == 422 and as_photo.json()["code"] == "UPLOAD_INVALID"
    broken = await portal.upload(
        project_id, student_id, b"%PDF-1.7 not really", kind="reflection", caption=REFLECTION_CAPTION
    )
    assert broken.status_code == 422 and broken.json()["code"] == "UPLOAD_INVALID"


async def test_r16_hours_and_evidence_are_withdrawn_not_deleted(portal: Portal) -> None:
    """R16/R24: the student withdraws hours and a photo entered by mistake before the report: both stay in
    the view marked `withdrawal`, no longer count, the audit trail names them, and a second withdrawal is
    409 CONFLICT."""
    project_id, student_id = await portal.approved()
    hours = await portal.log_hours(project_id, student_id, 3, date(2026, 3, 2))
    photo = await portal.upload(project_id, student_id, jpeg(color="navy"))
    assert photo.status_code == 201
    headers = portal.student(student_id)
    for path in (f"hours/{hours['created_id']}", f"evidence/{photo.json()['created_id']}"):
        url = f"/v1/projects/{project_id}/{path}/withdrawal"
        done = await portal.http.post(url, json={"reason": "entered by mistake"}, headers=headers)
        assert done.status_code == 200, done.text
        again = await portal.http.post(url, headers={**headers, "Idempotency-Key": unique("again")})
        assert again.status_code == 409 and again.json()["code"] == "CONFLICT"
    view = await portal.view(project_id)
    assert float(view["counted_hours"]) == 0
    assert view["hours"][0]["withdrawal"]["reason"] == "entered by mistake"
    assert view["hours"][0]["counts"] is False
    assert view["evidence"][0]["withdrawal"]["by"] == student_id
    actions = [entry["action"] for entry in view["audit"]]
    assert actions[-2:] == ["hours_withdrawn", "evidence_withdrawn"]
    stranger = await portal.http.post(
        f"/v1/projects/{project_id}/hours/{hours['created_id']}/withdrawal", headers=portal.student(unique("B"))
    )
    assert stranger.status_code == 404


async def test_r17_a_written_report_is_a_pdf_and_a_conversation_a_photo(portal: Portal) -> None:
    """R17: with `written_report` agreed, a photo as the reflection record is 422 REFLECTION_FORMAT_MISMATCH
    and a PDF is accepted."""
    project_id, student_id = await portal.approved()
    teacher = await portal.add_faculty()
    body = {"faculty_email": teacher["email"], "reflection_format": "written_report"}
    invited = await portal.http.post(
        f"/v1/projects/{project_id}/invitation", json=body, headers=portal.student(student_id)
    )
    assert invited.status_code == 200, invited.text
    await portal.accept(project_id, teacher["id"])
    photo = await portal.upload(
        project_id, student_id, jpeg(color="olive"), kind="reflection", caption=REFLECTION_CAPTION
    )
    assert photo.status_code == 422 and photo.json()["code"] == "REFLECTION_FORMAT_MISMATCH"
    document = await portal.upload(
        project_id, student_id, pdf_document(), kind="reflection", caption=REFLECTION_CAPTION, filename="r.pdf"
    )
    assert document.status_code == 201, document.text


async def test_r17_the_evaluation_page_shows_the_agreed_format_beside_the_record(
    portal: Portal, mail_sink: MailSink
) -> None:
    """R17: the supervisor's evaluation page names the agreed reflection format beside the record; a PDF
    record is a link that opens the document through the evaluation link itself."""
    project_id, student_id = await portal.approved()
    teacher = await portal.add_faculty()
    body = {"faculty_email": teacher["email"], "reflection_format": "written_report"}
    url = f"/v1/projects/{project_id}/invitation"
    portal.ok(await portal.http.post(url, json=body, headers=portal.student(student_id)))
    await portal.accept(project_id, teacher["id"])
    await portal.log_required_hours(project_id, student_id)
    for n in range(3):
        portal.ok(await portal.upload(project_id, student_id, noisy_photo(10 + n), filename=f"p{n}.jpg"), 201)
    record = await portal.upload(
        project_id, student_id, pdf_document(pages=3), kind="reflection", caption=REFLECTION_CAPTION
    )
    portal.ok(record, 201)
    await portal.submit_closure(project_id, student_id)
    path = await mailed_link(mail_sink, faculty_email(teacher["id"]), "Closure report to evaluate")
    page = await portal.http.get(path)
    assert page.status_code == 200, page.text
    assert "Agreed reflection format" in page.text and "Written report" in page.text and "書面報告" in page.text
    record_url = f"{path}/evidence/{record.json()['created_id']}"
    assert f'href="{record_url}"' in page.text and "PDF, 3 pages" in page.text
    opened = await portal.http.get(record_url)
    assert opened.status_code == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("attachment;")  # downloaded, never shown inline
