"""Step 3 (SPEC §4): hours (R14), their verification by OSA (R15) and evidence uploads (R16)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from api.auth import Osa, ProjectReader, Student
from api.deps import Acting, BlobsDep, IdempotencyKey, ProjectId, ProjectsDep, SettingsDep, StoreDep
from api.errors import ACT, READ, problems
from api.reading import readable_project
from api.schemas.projects import ActionResult, VerificationRequest, WithdrawalRequest
from api.uploads import ImageGate, document_headers, safe_filename
from blobs import digest_of
from clients.gateway import Unavailable
from domain.commands import VerifyHours, WithdrawItem
from domain.entries import ITEM_ID_PATTERN
from domain.errors import Code, RuleViolation
from domain.vocabulary import EvidenceKind
from domain.work import BlobRef, EvidenceInput, HoursInput
from workflows.project import ProjectWorkflow

router = APIRouter(prefix="/v1/projects/{project_id}", tags=["work"])

ItemId = Annotated[str, Path(pattern=ITEM_ID_PATTERN)]


@router.post("/hours", status_code=status.HTTP_201_CREATED, summary="Log hours", responses=problems(*ACT))
async def log_hours(
    project_id: ProjectId,
    body: HoursInput,
    user: Student,
    act: Acting,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R14: half hours, more than 0 and at most 12 a day, not in the future; only `execution` hours count
    toward the 36 (R15), and `campus_club` hours once OSA verified them. `created_id` is the entry id."""
    return await act(user, project_id, ProjectWorkflow.log_hours, body, idempotency_key)


@router.post("/hours/{entry_id}/verification", summary="Verify club hours", responses=problems(*ACT))
async def verify_hours(
    project_id: ProjectId,
    entry_id: ItemId,
    body: VerificationRequest,
    user: Osa,
    act: Acting,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R15: the Office of Student Affairs confirms or refuses hours done through an on-campus club."""
    command = VerifyHours(entry_id=entry_id, verified=body.verified, note=body.note)
    return await act(user, project_id, ProjectWorkflow.verify_hours, command, idempotency_key)


@router.post(
    "/evidence",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a photo or the reflection record",
    responses=problems(*ACT, Code.UPLOAD_INVALID, Code.DUPLICATE_EVIDENCE, Code.REFLECTION_FORMAT_MISMATCH),
)
async def add_evidence(
    project_id: ProjectId,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP image; a reflection record may also be a PDF.")],
    kind: Annotated[EvidenceKind, Form()],
    caption: Annotated[str, Form(min_length=1, max_length=2000)],
    user: Student,
    act: Acting,
    blobs: BlobsDep,
    settings: SettingsDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R16: three `participation` photos, each with a detailed caption (say where you are when several
    people are in it), and one `reflection` record of the session with the supervisor, a photo or a PDF
    document. The file must decode, be at most `max_upload_bytes`, and loses its location and other metadata
    before it is stored. The same picture counts once: the same content, or near-identical by perceptual
    hash, is 409 DUPLICATE_EVIDENCE. The reflection record fits the agreed reflection format (R17: a photo of
    a conversation or an oral presentation, a PDF of a written report), else 422 REFLECTION_FORMAT_MISMATCH.
    `created_id` is the evidence id.

    The image is stored only once the project accepted it, so a refused upload leaves nothing behind; the
    project keeps the reference before it answers, so no stored image is ever unreferenced. Should the store
    fail after the project accepted, the same request retried with its Idempotency-Key stores it; a 503 that
    says the upload may have been applied has stored the image already."""
    gate: ImageGate = request.app.state.image_gate
    image = await gate.clean(file, settings.max_upload_bytes, settings.max_image_pixels)
    blob = BlobRef(
        digest=digest_of(image.data),
        content_type=image.content_type,
        size=len(image.data),
        width=image.width,
        height=image.height,
        filename=safe_filename(file.filename),
        phash=image.phash,
        colorhash=image.colorhash,
        pages=image.pages,
    )
    command = EvidenceInput(kind=kind, caption=caption, blob=blob)
    try:
        result = await act(user, project_id, ProjectWorkflow.add_evidence, command, idempotency_key)
    except Unavailable as unanswered:
        if unanswered.maybe_applied:
            # The project may take it once a worker answers: the image must then be there. Content-addressed,
            # so a retry stores nothing twice; unreferenced, garbage collection removes it after its grace.
            await blobs.put(image.data)
        raise
    await blobs.put(image.data)
    return result


@router.get(
    "/evidence/{evidence_id}",
    summary="Download an evidence image",
    response_class=Response,
    responses={
        200: {
            "description": "The stored image (without location metadata) or PDF (without its metadata).",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("image/jpeg", "image/png", "image/webp", "application/pdf")
            },
        },
        **problems(*READ),
    },
)
async def get_evidence(
    project_id: ProjectId,
    evidence_id: ItemId,
    user: ProjectReader,
    projects: ProjectsDep,
    store: StoreDep,
    blobs: BlobsDep,
) -> Response:
    """Served only to those who may read the project."""
    view = await readable_project(projects, store, user, project_id)
    item = next((e for e in view.evidence if e.id == evidence_id), None)
    stored = await blobs.open(item.blob.digest) if item else None
    if item is None or stored is None:
        raise RuleViolation(Code.NOT_FOUND, f"No evidence {evidence_id} on this project.")
    return StreamingResponse(
        stored.chunks,
        media_type=item.blob.content_type,
        headers={
            "Content-Length": str(stored.size),
            "Cache-Control": "private, max-age=86400, immutable",
            "ETag": f'"{item.blob.digest}"',
            "X-Content-Type-Options": "nosniff",
            **document_headers(item.id, item.blob.content_type),
        },
    )


@router.post("/hours/{entry_id}/withdrawal", summary="Withdraw hours entered by mistake", responses=problems(*ACT))
async def withdraw_hours(
    project_id: ProjectId,
    entry_id: ItemId,
    user: Student,
    act: Acting,
    body: WithdrawalRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R16: until the closure report is under evaluation the student may withdraw an hours entry made by
    mistake. It is not deleted: it stays in the project marked `withdrawal` (who, when, why), no longer
    counts, and the audit trail records it. 409 CONFLICT when already withdrawn."""
    command = WithdrawItem(item="hours", item_id=entry_id, reason=(body or WithdrawalRequest()).reason)
    return await act(user, project_id, ProjectWorkflow.withdraw_item, command, idempotency_key)


@router.post(
    "/evidence/{evidence_id}/withdrawal", summary="Withdraw evidence uploaded by mistake", responses=problems(*ACT)
)
async def withdraw_evidence(
    project_id: ProjectId,
    evidence_id: ItemId,
    user: Student,
    act: Acting,
    body: WithdrawalRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R16: as for hours: the photo or record stays on record marked `withdrawal`, no longer counts, and may
    be uploaded again. Evidence that is the proof of hours still on record is withdrawn after those hours
    (409 CONFLICT)."""
    command = WithdrawItem(item="evidence", item_id=evidence_id, reason=(body or WithdrawalRequest()).reason)
    return await act(user, project_id, ProjectWorkflow.withdraw_item, command, idempotency_key)
