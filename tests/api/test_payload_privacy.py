"""Personal data in Temporal (SPEC §6): one project's whole lifecycle leaves no name, email or free text
readable in its history, the codec server gives all of it back to the center, and the search attributes
and memos it writes (which operators filter on, unencrypted) hold only ids, stages and semesters."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from temporalio.api.common.v1 import Memo, Payload, Payloads, SearchAttributes
from temporalio.api.history.v1 import History
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadConverter

from config.settings import Settings
from domain.stages import Stage
from tests.api.portal import Portal, jpeg, png, proposal, unique
from workflows import attributes
from workflows.project import RULES_PATCH, workflow_id


@dataclass(frozen=True)
class Lifecycle:
    project_id: str
    student_id: str
    faculty_id: str
    personal: dict[str, str]  # what each distinctive string is -> the string


# The directory keeps these; workflows know the student by id alone, so no payload needs to carry them.
STAYS_IN_THE_DIRECTORY = ("student name", "student email")


def _personal(tag: str) -> dict[str, str]:
    """Strings no code, template or id could produce by chance, each carrying the run's tag."""
    return {
        "student name": f"Ruan Xiaoqing 阮曉晴 {tag}",
        "student email": f"xiaoqing.ruan.{tag.lower()}@mail.example.edu",
        "teacher name": f"Tsai Wenbin 蔡文彬 {tag}",
        "teacher email": f"wenbin.tsai.{tag.lower()}@staff.example.edu",
        "title": f"Tide-pool survey with the Badouzi fishers {tag}",
        "plan": f"Every Saturday we count tide-pool species with the fishers' cooperative {tag}.",
        "indicator note": f"The cooperative now keeps its own species log {tag}.",
        "review comment": f"Please keep the kids away from the breakwater {tag}.",
        "hours description": f"Counted sea slugs at low tide near the harbour {tag}",
        "participation caption": f"Measuring a rock pool; I am the one in the yellow raincoat {tag}",
        "reflection caption": f"Talking over the survey results with Prof Tsai {tag}",
        "narrative": f"We surveyed twelve pools over ten weeks and learned to read the tides with the fishers {tag}.",
        "revision feedback": f"Say more about what the fishers taught you {tag}",
        "pass feedback": f"A careful survey, well reflected {tag}",
    }


@pytest.fixture(scope="module")
async def lifecycle(http: httpx.AsyncClient, settings: Settings, client: Client) -> Lifecycle:
    """Directory entries, proposal, review, invitation, hours, evidence, report, a revision and a pass, each
    carrying a distinctive personal string, through the HTTP API as the portal would send them."""
    portal = Portal(http, settings)
    tag = unique("PII")
    personal = _personal(tag)
    student_id, faculty_id = unique("B"), unique("T")
    student, faculty = portal.student(student_id), portal.faculty(faculty_id)

    async def call(method: str, path: str, headers: dict[str, str], status: int = 200, **kw: Any) -> Any:
        response = await http.request(method, path, headers={**headers, "Idempotency-Key": unique("k")}, **kw)
        assert response.status_code == status, response.text
        return response.json()

    teacher = {"name": personal["teacher name"], "email": personal["teacher email"], "rank": "professor"}
    await call("PUT", f"/v1/faculty/{faculty_id}", portal.center, 201, json={**teacher, "department": "Marine Biology"})
    learner = {"name": personal["student name"], "email": personal["student email"]}
    await call("PUT", f"/v1/students/{student_id}", portal.center, 201, json=learner)

    body = proposal(
        title=personal["title"],
        plan=personal["plan"],
        indicators=[{"indicator": "civic_consciousness", "how": personal["indicator note"]}],
    )
    project_id = (await call("POST", "/v1/projects", student, 201, json=body))["created_id"]
    base = f"/v1/projects/{project_id}"
    review = {"decision": "approve", "comment": personal["review comment"]}
    await call("POST", f"{base}/review", portal.center, json=review)
    invitation = {"faculty_email": personal["teacher email"], "reflection_format": "conversation"}
    await call("POST", f"{base}/invitation", student, json=invitation)
    await call("POST", f"{base}/invitation/response", faculty, json={"accept": True})
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        entry = {"date": day, "hours": 12, "kind": "execution", "description": personal["hours description"]}
        await call("POST", f"{base}/hours", student, 201, json=entry)
    for n, color in enumerate(("red", "green", "blue")):
        photo = {"file": (f"p{n}.jpg", jpeg(color=color), "image/jpeg")}
        caption = {"kind": "participation", "caption": personal["participation caption"]}
        await call("POST", f"{base}/evidence", student, 201, files=photo, data=caption)
    record = {"file": ("talk.png", png(), "image/png")}
    caption = {"kind": "reflection", "caption": personal["reflection caption"]}
    await call("POST", f"{base}/evidence", student, 201, files=record, data=caption)
    note = {"indicator": "civic_consciousness", "how": personal["indicator note"]}
    report = {"narrative": personal["narrative"], "indicators": [note]}
    await call("POST", f"{base}/closure-report", student, json=report)
    revise = {"result": "revise", "feedback": personal["revision feedback"]}
    assert (await call("POST", f"{base}/evaluation", faculty, json=revise))["project"]["stage"] == "REVISION_REQUESTED"
    await call("POST", f"{base}/closure-report", student, json=report)
    verdict = {"result": "pass", "feedback": personal["pass feedback"]}
    assert (await call("POST", f"{base}/evaluation", faculty, json=verdict))["project"]["stage"] == "PASSED"
    await client.get_workflow_handle(workflow_id(project_id)).result()
    return Lifecycle(project_id, student_id, faculty_id, personal)


async def _histories(client: Client, project_id: str) -> list[History]:
    """Every run of the project's workflow (it continues as new), newest first."""
    histories: list[History] = []
    run_id: str | None = None
    while True:
        fetched = await client.get_workflow_handle(workflow_id(project_id), run_id=run_id).fetch_history()
        histories.append(History(events=fetched.events))
        run_id = fetched.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
        if not run_id:
            return histories


def _messages(message: Message) -> Iterator[Message]:
    """`message` and every message nested in it, at any depth, through repeated fields and maps."""
    yield message
    for field, value in message.ListFields():
        kind = field.message_type
        if kind is None:
            continue
        if kind.GetOptions().map_entry:
            items = list(value.values()) if kind.fields_by_name["value"].message_type is not None else []
        else:
            items = list(value) if field.is_repeated else [value]
        for item in items:
            yield from _messages(item)


def _forms(text: str) -> list[bytes]:
    """How a string can sit in payload bytes: UTF-8, or JSON with non-ASCII escaped."""
    return [text.encode(), json.dumps(text)[1:-1].encode()]


async def test_history_read_without_the_codec_holds_no_personal_data(lifecycle: Lifecycle, client: Client) -> None:
    """(a) A Temporal client without the codec reads the raw history of every run: no name, email, plan,
    comment, caption, narrative or feedback appears anywhere in its bytes, while its payloads are sealed."""
    plain = Client(client.service_client, namespace=client.namespace, data_converter=pydantic_data_converter)
    histories = await _histories(plain, lifecycle.project_id)
    raw = b"".join(h.SerializeToString() for h in histories)
    text = "".join(json_format.MessageToJson(h) for h in histories).encode()
    for what, value in lifecycle.personal.items():
        for form in _forms(value):
            assert form not in raw, what
            assert form not in text, what
    payloads = [m for h in histories for m in _messages(h) if isinstance(m, Payload)]
    sealed = [p for p in payloads if p.metadata.get("encoding") == b"binary/encrypted"]
    assert len(sealed) > 20, "the lifecycle's inputs, results and activities travel sealed"


async def test_codec_server_gives_the_center_every_personal_string(
    lifecycle: Lifecycle, client: Client, http: httpx.AsyncClient, settings: Settings
) -> None:
    """(b) The same raw payloads POSTed to /codec/decode with a center token come back readable: every
    distinctive string the lifecycle sent to the workflow is there (so (a) is not vacuous); the student's
    name and email are not sent to Temporal at all."""
    histories = await _histories(client, lifecycle.project_id)
    payloads = [m for h in histories for m in _messages(h) if isinstance(m, Payload)]
    body = json_format.MessageToDict(Payloads(payloads=payloads))
    center = Portal(http, settings).center
    headers = {**center, "Content-Type": "application/json", "X-Namespace": settings.temporal_namespace}
    response = await http.post("/codec/decode", json=body, headers=headers)
    assert response.status_code == 200, response.text
    decoded = json_format.ParseDict(response.json(), Payloads()).payloads
    assert len(decoded) == len(payloads)
    assert not [p for p in decoded if p.metadata.get("encoding") == b"binary/encrypted"]
    readable = b"\n".join(p.data for p in decoded)
    sent = {what: value for what, value in lifecycle.personal.items() if what not in STAYS_IN_THE_DIRECTORY}
    missing = [what for what, value in sent.items() if not any(f in readable for f in _forms(value))]
    assert missing == [], missing
    anonymous = await http.post("/codec/decode", json=body, headers={"X-Namespace": settings.temporal_namespace})
    assert anonymous.status_code == 401


def _values(converter: PayloadConverter, fields: Any) -> Iterator[tuple[str, Any]]:
    for key, payload in fields.items():
        yield key, converter.from_payload(payload)


def _flatten(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    elif value is not None:
        yield str(value)


async def test_search_attributes_and_memos_hold_only_ids_stages_and_semesters(
    lifecycle: Lifecycle, client: Client
) -> None:
    """Temporal does not encrypt search attributes (and operators filter on them), so every one the lifecycle
    wrote, at start, in each upsert and as the run stands, and every memo, holds an id, a stage name or a
    semester id, never a name, email or free text."""
    histories = await _histories(client, lifecycle.project_id)
    description = await client.get_workflow_handle(workflow_id(lifecycle.project_id)).describe()
    info = description.raw_description.workflow_execution_info
    containers = [m for h in histories for m in _messages(h) if isinstance(m, SearchAttributes | Memo)]
    containers += [info.search_attributes, info.memo]

    written: dict[str, set[str]] = {}
    for container in containers:
        if isinstance(container, SearchAttributes):
            # Search attributes are plain JSON by design; decoding them needs no key.
            pairs = list(_values(pydantic_data_converter.payload_converter, container.indexed_fields))
        else:
            decoded = await client.data_converter.decode(list(container.fields.values()))
            pairs = list(zip(container.fields.keys(), decoded, strict=True))
        for key, value in pairs:
            written.setdefault(key, set()).update(_flatten(value))

    assert {a.name for a in (attributes.STAGE, attributes.SEMESTER, attributes.STUDENT, attributes.SUPERVISOR)} <= set(
        written
    ), written
    ids = {lifecycle.project_id, lifecycle.student_id, lifecycle.faculty_id}
    stages = {stage.value for stage in Stage}
    semester = re.compile(r"^\d{4}-(spring|summer|fall|winter)$")
    # Temporal itself records which code changes a run went through (`workflow.patched`): constant patch ids.
    patches = {RULES_PATCH}
    for key, values in written.items():
        for value in values:
            if key == "TemporalChangeVersion":
                assert value in patches, (key, value)
                continue
            assert value in ids or value in stages or semester.match(value), (key, value)
            assert not any(v in value for v in lifecycle.personal.values()), (key, value)
    assert written[attributes.STAGE.name] >= {"PROPOSAL_REVIEW", "IN_PROGRESS", "PASSED"}
