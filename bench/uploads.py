"""Issue 9, item 4: the API's memory under concurrent worst-case evidence uploads.

Starts the real stack (Temporal dev server, worker and API as processes, `bench.stack`), brings one project to
NEEDS_SUPERVISOR, then sends `--concurrent` uploads at once of each worst case and prints the API process's
peak resident memory (VmHWM) after each round:

- `bomb`: the attack's PNG of 6,300 x 6,300 pixels (about 150 KiB; refused from its header now);
- `png`: the largest PNG accepted (PRAXIS_MAX_IMAGE_PIXELS, 4096 x 4096, RGBA), small on disk;
- `jpeg`: an 8,000 x 6,000 (48 MP) JPEG, decoded at half size.

Goal: a peak of at most 500 MB. `python -m bench.uploads [--concurrent 20] [--keep]`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import secrets
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import httpx
from PIL import Image

from api.auth import issue_token
from bench.services import start_dev_server
from bench.stack import StackOptions, praxis_stack
from tests.api.portal import proposal


def _gradient(size: tuple[int, int], mode: str) -> Image.Image:
    """Smooth content: a small file (within the upload bound) that still decodes to every pixel."""
    band = Image.linear_gradient("L").resize(size)
    return Image.merge(mode, [band.rotate(90 * n, expand=False) for n in range(len(mode))])


def _png_at_bound() -> bytes:
    out = io.BytesIO()
    _gradient((4096, 4096), "RGBA").save(out, format="PNG")
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6300, 6300), "white").save(out, format="PNG")
    return out.getvalue()


def _big_jpeg() -> bytes:
    out = io.BytesIO()
    _gradient((8000, 6000), "RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def rss_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


async def run(concurrent: int, work_dir: Path) -> None:
    server = await asyncio.to_thread(start_dev_server, work_dir, os.environ)
    options = StackOptions(postgres_url=None, worker_cache=1000, worker_polls=16, log_level="WARNING")
    try:
        async with praxis_stack(server, work_dir, os.environ, options) as stack:
            settings = stack.settings
            center = {"Authorization": f"Bearer {issue_token(settings, sub='cge-1', role='center')}"}
            student_id = "B" + secrets.token_hex(4)
            student = {"Authorization": f"Bearer {issue_token(settings, sub=student_id, role='student')}"}
            async with httpx.AsyncClient(base_url=stack.api_url, timeout=600) as http:
                body = {"name": "Bench Student", "email": f"{student_id.lower()}@mail.example.edu"}
                (await http.put(f"/v1/students/{student_id}", json=body, headers=center)).raise_for_status()
                submitted = await http.post("/v1/projects", json=proposal(), headers=student)
                project_id = submitted.raise_for_status().json()["project"]["id"]
                review = await http.post(
                    f"/v1/projects/{project_id}/review", json={"decision": "approve"}, headers=center
                )
                review.raise_for_status()
                pid = stack.api.pid
                rest, peak = rss_mib(pid, "VmRSS"), rss_mib(pid, "VmHWM")
                print(f"API pid {pid}: RSS at rest {rest:.0f} MiB, peak so far {peak:.0f} MiB")
                for name, make in (("bomb", _bomb), ("png", _png_at_bound), ("jpeg", _big_jpeg)):
                    data = await asyncio.to_thread(make)

                    async def upload(n: int, data: bytes = data, name: str = name) -> int:
                        response = await http.post(
                            f"/v1/projects/{project_id}/evidence",
                            files={"file": (f"{name}-{n}", data, "image/png" if name != "jpeg" else "image/jpeg")},
                            data={"kind": "participation", "caption": f"Bench upload {n}; I am on the left."},
                            headers=student,
                        )
                        return response.status_code

                    statuses = Counter(await asyncio.gather(*(upload(n) for n in range(concurrent))))
                    print(
                        f"{name:5} {len(data) / 1024:8.0f} KiB x {concurrent}: statuses {dict(statuses)}; "
                        f"API RSS {rss_mib(pid, 'VmRSS'):.0f} MiB, peak {rss_mib(pid, 'VmHWM'):.0f} MiB"
                    )
                print(f"peak RSS of the API over the run: {rss_mib(pid, 'VmHWM'):.0f} MiB (goal: 500 MB = 477 MiB)")
    finally:
        server.service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs, databases)")
    args = parser.parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="praxis-uploads-"))
    try:
        asyncio.run(run(args.concurrent, work_dir))
    finally:
        if args.keep:
            print(f"kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
