"""Evidence uploads over HTTP (R16): real images only, size-bounded, location stripped, served to readers only."""

from __future__ import annotations

import asyncio
import io
import threading

from fastapi import UploadFile
from PIL import ExifTags, Image

from api.uploads import ImageGate
from blobs import LocalBlobStore, digest_of
from config.settings import Settings
from tests.api.portal import PARTICIPATION_CAPTION, Portal, jpeg, png, unique

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (25.0, 1.0, 0.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 32.0, 0.0),
}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="25,1.0N"/></rdf:RDF></x:xmpmeta>'
)


def located_photo() -> bytes:
    """A phone photo: GPS in EXIF and XMP, a comment naming the place, and rotated by an orientation tag."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: displayed rotated 90 degrees clockwise
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(
        out, format="JPEG", exif=exif, xmp=XMP, comment=b"Wanhua library, 25.03N 121.53E"
    )
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as original:  # the fixture really carries what must be stripped
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "xmp" in original.info and "comment" in original.info
    return data


async def stored_blob(settings: Settings, view: dict[str, object], evidence_id: str) -> bytes:
    evidence = view["evidence"]
    assert isinstance(evidence, list)
    item = next(e for e in evidence if e["id"] == evidence_id)
    blob = await LocalBlobStore(settings.blobs_path).open(item["blob"]["digest"])
    assert blob is not None
    data = await blob.read()
    assert digest_of(data) == item["blob"]["digest"]
    return data


async def test_a_photo_is_stored_without_location_and_upright(portal: Portal, settings: Settings) -> None:
    """R16: GPS (EXIF, XMP, comments) is stripped before storing; orientation is applied to the pixels;
    the workflow keeps only the reference (digest, type, size, dimensions, file name)."""
    project_id, student_id = await portal.approved()
    response = await portal.upload(project_id, student_id, located_photo(), filename="../../IMG_0001.jpg")
    assert response.status_code == 201, response.text
    outcome = response.json()
    view = await portal.view(project_id)
    stored = await stored_blob(settings, view, outcome["created_id"])
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (48, 64)
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert len(exif) == 0
        assert "xmp" not in image.info and "comment" not in image.info
    blob = view["evidence"][0]["blob"]
    assert blob == {
        "digest": digest_of(stored),
        "content_type": "image/jpeg",
        "size": len(stored),
        "width": 48,
        "height": 64,
        "filename": "IMG_0001.jpg",
        "phash": blob["phash"],
        "colorhash": blob["colorhash"],
        "pages": None,
    }
    assert len(blob["phash"]) == 16  # R16: the perceptual hash that tells a re-saved copy


async def test_png_and_webp_are_accepted_too(portal: Portal) -> None:
    """R16: JPEG, PNG and WebP; the stored type is what the bytes decode as, whatever the client claimed."""
    project_id, student_id = await portal.approved()
    webp = io.BytesIO()
    Image.new("RGB", (20, 20), "purple").save(webp, format="WEBP")
    for data, expected in ((png(), "image/png"), (webp.getvalue(), "image/webp")):
        response = await portal.upload(project_id, student_id, data, content_type="application/octet-stream")
        assert response.status_code == 201, response.text
        assert (await portal.view(project_id))["evidence"][-1]["blob"]["content_type"] == expected


async def test_a_text_file_renamed_jpg_is_upload_invalid(portal: Portal) -> None:
    """R16: photos are checked to be real images; the name and declared type prove nothing."""
    project_id, student_id = await portal.approved()
    response = await portal.upload(project_id, student_id, b"I promise this is a photo\n" * 40, filename="fake.jpg")
    assert response.status_code == 422
    assert response.json()["code"] == "UPLOAD_INVALID"
    assert (await portal.view(project_id))["evidence"] == []


async def test_a_truncated_jpeg_is_upload_invalid(portal: Portal) -> None:
    """A valid header over broken data is refused: the image is decoded completely."""
    project_id, student_id = await portal.approved()
    data = jpeg(size=(400, 300))
    response = await portal.upload(project_id, student_id, data[: len(data) // 2])
    assert response.status_code == 422
    assert response.json()["code"] == "UPLOAD_INVALID"


async def test_an_unsupported_image_type_is_upload_invalid(portal: Portal) -> None:
    """GIF decodes, but only JPEG, PNG and WebP are accepted."""
    project_id, student_id = await portal.approved()
    gif = io.BytesIO()
    Image.new("P", (10, 10)).save(gif, format="GIF")
    response = await portal.upload(project_id, student_id, gif.getvalue(), filename="a.gif", content_type="image/gif")
    assert response.status_code == 422
    assert response.json()["code"] == "UPLOAD_INVALID"
    assert "GIF" in response.json()["detail"]


async def test_too_many_pixels_is_upload_invalid(portal: Portal, settings: Settings) -> None:
    """A small file can unpack to a huge image (a decompression bomb); the pixel bound is checked first."""
    project_id, student_id = await portal.approved()
    side = int(settings.max_image_pixels**0.5) + 100
    bomb = io.BytesIO()
    Image.new("1", (side, side)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 1024 * 1024
    response = await portal.upload(project_id, student_id, bomb.getvalue(), filename="bomb.png")
    assert response.status_code == 422
    assert response.json()["code"] == "UPLOAD_INVALID"


async def test_an_oversized_upload_is_upload_invalid(portal: Portal, settings: Settings) -> None:
    """R16: files over `max_upload_bytes` are refused, just past the bound (read in chunks, stopping early)
    and far past it (refused from Content-Length before the body is read)."""
    project_id, student_id = await portal.approved()
    for size in (settings.max_upload_bytes + 1, settings.max_upload_bytes + 1024 * 1024):
        response = await portal.upload(project_id, student_id, b"\xff" * size)
        assert response.status_code == 422, size
        assert response.json()["code"] == "UPLOAD_INVALID"
        assert "larger than" in response.json()["detail"]


async def test_an_oversized_json_body_is_refused(portal: Portal) -> None:
    """Request bodies other than uploads are bounded too, and refused as problems."""
    body = {"title": "x" * (2 * 1024 * 1024)}
    response = await portal.http.post("/v1/projects", json=body, headers=portal.student(unique("B")))
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"


async def test_a_short_participation_caption_is_refused(portal: Portal) -> None:
    """R16: each participation photo needs a detailed caption (where the student is, when several people are)."""
    project_id, student_id = await portal.approved()
    response = await portal.upload(project_id, student_id, jpeg(), caption="me")
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "caption" in response.json()["detail"]


async def test_a_retried_upload_adds_the_evidence_once(portal: Portal) -> None:
    """Idempotency-Key on uploads: the same key twice answers the same evidence id."""
    project_id, student_id = await portal.approved()
    headers = {"Idempotency-Key": unique("upload")}
    first = await portal.upload(project_id, student_id, jpeg(), headers=headers)
    retry = await portal.upload(project_id, student_id, jpeg(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["created_id"] == first.json()["created_id"]
    assert len((await portal.view(project_id))["evidence"]) == 1


async def test_stored_images_are_served_to_readers_only(portal: Portal) -> None:
    """GET /evidence/{id}: the owner, the supervisor and the center get the bytes; another student 404."""
    project_id, student_id, faculty_id = await portal.in_progress()
    response = await portal.upload(project_id, student_id, located_photo(), caption=PARTICIPATION_CAPTION)
    evidence_id = response.json()["created_id"]
    digest = (await portal.view(project_id))["evidence"][0]["blob"]["digest"]
    url = f"/v1/projects/{project_id}/evidence/{evidence_id}"
    for headers in (portal.student(student_id), portal.faculty(faculty_id), portal.center):
        served = await portal.http.get(url, headers=headers)
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["cache-control"].startswith("private")
        assert digest_of(served.content) == digest
    stranger = await portal.http.get(url, headers=portal.student(unique("B")))
    assert stranger.status_code == 404
    missing = await portal.http.get(f"/v1/projects/{project_id}/evidence/nope", headers=portal.center)
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"
    assert (await portal.http.get(url)).status_code == 401


async def test_a_large_jpeg_is_decoded_reduced_and_kept_within_the_bound(portal: Portal, settings: Settings) -> None:
    """Issue 9, item 4: a 48-megapixel phone JPEG is accepted, decoded at half size straight from the file (so
    it costs no more memory than one at the bound) and stored at that size."""
    project_id, student_id = await portal.approved()
    big = jpeg(size=(8000, 6000), color="#3c8dbc")
    response = await portal.upload(project_id, student_id, big, filename="phone.jpg")
    assert response.status_code == 201, response.text
    [item] = (await portal.view(project_id))["evidence"]
    assert (item["blob"]["width"], item["blob"]["height"]) == (4000, 3000)
    assert item["blob"]["width"] * item["blob"]["height"] <= settings.max_image_pixels


async def test_a_png_beyond_a_phone_photo_is_refused_before_decoding(portal: Portal) -> None:
    """Issue 9, item 4: the attack's 151 KiB PNG of 6,300 x 6,300 pixels (about 300 MiB to decode) is refused
    from its header; a PNG cannot be decoded reduced, so the pixel bound is what a phone photo needs."""
    project_id, student_id = await portal.approved()
    bomb = io.BytesIO()
    Image.new("RGB", (6300, 6300), "white").save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 400 * 1024
    response = await portal.upload(project_id, student_id, bomb.getvalue(), filename="bomb.png")
    assert (response.status_code, response.json()["code"]) == (422, "UPLOAD_INVALID")
    assert "6300x6300" in response.json()["detail"]


async def test_the_image_gate_decodes_only_so_many_uploads_at_once() -> None:
    """Issue 9, item 4: with one slot, a second upload is not even read into memory until the first has been
    decoded; both then succeed."""
    release = threading.Event()
    reading: list[str] = []

    class Slow(io.BytesIO):
        def __init__(self, name: str, data: bytes) -> None:
            super().__init__(data)
            self.name = name

        def read(self, size: int | None = -1) -> bytes:
            if self.name not in reading:
                reading.append(self.name)
            if self.name == "first":
                release.wait(30)
            return super().read(size)

    gate = ImageGate(1)
    first = asyncio.create_task(gate.clean(UploadFile(Slow("first", jpeg())), 1 << 20, 1 << 20))
    second = asyncio.create_task(gate.clean(UploadFile(Slow("second", png())), 1 << 20, 1 << 20))
    async with asyncio.timeout(10):
        while "first" not in reading:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)
    assert reading == ["first"]
    release.set()
    cleaned = await asyncio.gather(first, second)
    assert reading == ["first", "second"]
    assert [c.content_type for c in cleaned] == ["image/jpeg", "image/png"]
