"""Evidence uploads (R16): only real, size-bounded JPEG/PNG/WebP images, with location metadata removed, and
for a reflection record also a PDF document, parsed and re-written without its metadata.

An upload is decoded completely (a header that looks like an image is not enough), its orientation is
applied to the pixels, and it is re-encoded with no metadata but its colour profile. Location can hide
in EXIF's GPS directory, in XMP, in maker notes or in comments; keeping none of them is the one way to be
sure none survives.

Each image also gets its perceptual hash (pHash, 64 bits) and colour hash (`imagehash`), so the rules can
tell the same picture uploaded twice, re-encoded or resized (R16, `domain.work.same_image`).
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import PurePath

import imagehash
from fastapi import UploadFile
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ProblemException
from domain.errors import Code, RuleViolation

CHUNK = 64 * 1024
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Multipart framing plus the `kind` and `caption` fields (a caption is at most 2000 characters).
FORM_OVERHEAD = 64 * 1024
MAX_JSON_BYTES = 1024 * 1024
# Kept through re-encoding: they change how pixels look, and carry nothing about where or who.
_KEPT_INFO = ("icc_profile", "transparency")
PDF_MAGIC = b"%PDF-"
HASH_SIDE = 1024
MAX_PDF_PAGES = 50  # a reflection record is a few pages of notes or a report, not a thesis


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    phash: str | None = None
    colorhash: str | None = None
    pages: int | None = None


def _invalid(detail: str) -> RuleViolation:
    return RuleViolation(Code.UPLOAD_INVALID, detail)


async def read_bounded(upload: UploadFile, limit: int) -> bytes:
    """The whole upload, or UPLOAD_INVALID as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _invalid(f"The file is larger than {limit // (1024 * 1024)} MiB; upload a smaller image.")
        chunks.append(chunk)
    if size == 0:
        raise _invalid("The file is empty.")
    return b"".join(chunks)


# A JPEG is decoded at 1/2, 1/4 or 1/8 of its size straight from the file (its DCT allows it), so a photo
# larger than the pixel bound costs no more memory than one at the bound.
JPEG_SCALES = (1, 2, 4, 8)


def decoded_size(kind: str, width: int, height: int, max_pixels: int) -> tuple[int, int]:
    """The size an upload is decoded at: as it is when within `max_pixels`; a JPEG beyond it at the first of
    1/2, 1/4, 1/8 that fits. UPLOAD_INVALID when nothing fits (other formats cannot be decoded reduced)."""
    scales = JPEG_SCALES if kind == "JPEG" else (1,)
    for scale in scales:
        w, h = -(-width // scale), -(-height // scale)
        if w * h <= max_pixels:
            return w, h
    raise _invalid(
        f"The image has {width}x{height} pixels; at most {max_pixels:,} are accepted"
        + (" (a JPEG up to 64 times that)." if kind == "JPEG" else ".")
    )


def clean_image(data: bytes, max_pixels: int) -> CleanImage:
    """Decode fully (a large JPEG reduced, see `decoded_size`), check type and size, strip metadata,
    re-encode. CPU-bound and up to about 4 bytes a pixel of memory: call it in a thread, through the
    app's `ImageGate`."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
            if kind not in FORMATS:
                raise _invalid(f"Only JPEG, PNG and WebP images are accepted, not {kind or 'this file type'}.")
            target = decoded_size(kind, width, height, max_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if target != (width, height):
                image.draft(image.mode, target)
            image.load()
            # In place: a transposed copy would double the memory of the largest images.
            ImageOps.exif_transpose(image, in_place=True)
            out = io.BytesIO()
            kept: dict[str | tuple[int, int], object] = {k: image.info[k] for k in _KEPT_INFO if k in image.info}
            image.info = kept
            options: dict[str, object] = {"exif": b""}
            if kind in ("JPEG", "WEBP"):
                options["quality"] = 90
            image.save(out, format=kind, **options)
            # The hashes see a copy at most HASH_SIDE pixels a side: they reduce the picture to 32 x 32 (pHash)
            # or a few colour bins anyway, and full-size conversions would double the memory of a large one.
            factor = max(1, max(image.size) // HASH_SIDE)
            small = image.reduce(factor) if factor > 1 else image
            phash = str(imagehash.phash(small))
            colorhash = str(imagehash.colorhash(small.convert("RGB"), binbits=3))
            size = image.size
    except RuleViolation:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise _invalid("The file is not an image Praxis can read (JPEG, PNG or WebP), nor a PDF.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise _invalid(f"The image could not be decoded: {error}.") from None
    return CleanImage(
        data=out.getvalue(),
        content_type=FORMATS[kind],
        width=size[0],
        height=size[1],
        phash=phash,
        colorhash=colorhash,
    )


def is_pdf(data: bytes) -> bool:
    return data.startswith(PDF_MAGIC)


def clean_document(data: bytes) -> CleanImage:
    """R16: a reflection record as a PDF: it must parse, be unencrypted and have 1 to MAX_PDF_PAGES pages;
    its pages are copied into a new file, so the document information and XMP metadata (authors, software,
    sometimes places) are left behind. CPU-bound: call it in a thread."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _invalid("The PDF is encrypted; upload it without a password.")
        count = len(reader.pages)
        if not 1 <= count <= MAX_PDF_PAGES:
            raise _invalid(f"The PDF has {count} pages; a reflection record has 1 to {MAX_PDF_PAGES}.")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        writer.metadata = None
        first = reader.pages[0].mediabox
        out = io.BytesIO()
        writer.write(out)
    except RuleViolation:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as error:
        raise _invalid(f"The PDF could not be read: {error}.") from None
    width, height = max(1, round(float(first.width))), max(1, round(float(first.height)))
    return CleanImage(data=out.getvalue(), content_type="application/pdf", width=width, height=height, pages=count)


def document_headers(evidence_id: str, content_type: str) -> dict[str, str]:
    """A PDF record (R16) is downloaded, never shown inside Praxis's pages: a browser's PDF viewer would run
    whatever the student's file carries under Praxis's origin. The name is the evidence id, safe in a header."""
    if content_type != "application/pdf":
        return {}
    return {"Content-Disposition": f'attachment; filename="reflection-{evidence_id}.pdf"'}


def clean_upload(data: bytes, max_pixels: int) -> CleanImage:
    """An image, or a PDF document (only a reflection record may be one: `domain.transitions`)."""
    return clean_document(data) if is_pdf(data) else clean_image(data, max_pixels)


class ImageGate:
    """At most `slots` uploads held in memory and decoded at once, per API process: each may take a few
    hundred MiB at the pixel bound, so twenty at once must wait their turn rather than all decode together.
    Waiting holds no thread."""

    def __init__(self, slots: int) -> None:
        self._slots = asyncio.Semaphore(slots)

    async def clean(self, upload: UploadFile, max_bytes: int, max_pixels: int) -> CleanImage:
        """Read the upload and clean it (an image, or a PDF record: `clean_upload`) once a slot is free."""
        async with self._slots:
            data = await read_bounded(upload, max_bytes)
            return await run_in_threadpool(clean_upload, data, max_pixels)


def safe_filename(name: str | None) -> str:
    """The base name a client sent, without any path, bounded; only shown back to people."""
    base = PurePath((name or "").replace("\\", "/")).name
    return "".join(ch for ch in base if ch.isprintable())[:200]


class BodyLimit:
    """Refuse an oversized request body before it is parsed or spooled to disk.

    Multipart bodies (evidence uploads) may carry `max_upload_bytes` plus the form's framing; anything else
    is JSON and far smaller. A declared Content-Length is refused at once; a chunked body when it passes
    the bound. Raising a ProblemException from `receive` lets FastAPI's body parser pass it through.
    """

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_upload_bytes + FORM_OVERHEAD if multipart else MAX_JSON_BYTES
        code = Code.UPLOAD_INVALID if multipart else Code.VALIDATION_ERROR
        detail = (
            f"The file is larger than {self.max_upload_bytes // (1024 * 1024)} MiB; upload a smaller image."
            if multipart
            else f"The request body is larger than {MAX_JSON_BYTES // 1024} KiB."
        )
        declared = headers.get("content-length")
        too_big = declared is not None and declared.isdigit() and int(declared) > limit
        received = 0

        async def bounded() -> Message:
            nonlocal received
            if too_big:
                raise ProblemException(code, detail)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise ProblemException(code, detail)
            return message

        await self.app(scope, bounded, send)
