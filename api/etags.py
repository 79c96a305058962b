"""Conditional requests on a project (RFC 9110 §13): its revision is its entity tag.

`GET /v1/projects/{id}` answers `ETag: "<revision>"`; a change sent with `If-Match: "<revision>"` acts only if
the project is still at that revision (the workflow's validator compares, so nothing is written otherwise),
and `If-None-Match` spares a portal re-reading a project that did not change.
"""

from __future__ import annotations

from typing import Any

from domain.errors import Code, RuleViolation

ETAG: dict[str, Any] = {"type": "string", "pattern": '^"[0-9]+"$'}


def etag_of(revision: int) -> str:
    return f'"{revision}"'


def _tags(header: str) -> list[str]:
    # Weak tags compare weakly; a revision is the same either way.
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def revision_of(if_match: str | None) -> int | None:
    """The revision an `If-Match` names; None for no header or `*`. A tag that is no revision of any project
    cannot match the current one: 412, as RFC 9110 says for a tag that does not match."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = _tags(if_match)
    revisions = {tag.strip('"') for tag in tags if len(tag) >= 2 and tag.startswith('"') and tag.endswith('"')}
    numbers = {int(r) for r in revisions if r.isascii() and r.isdigit() and len(r) < 19}
    if len(numbers) != 1 or len(tags) != 1:
        raise RuleViolation(
            Code.PRECONDITION_FAILED,
            f"If-Match {if_match!r} names no single revision of this project; send the ETag the project was read with.",
        )
    return numbers.pop()


def matches(if_none_match: str | None, revision: int) -> bool:
    """`If-None-Match`: true when the caller already holds this revision (answer 304)."""
    if if_none_match is None:
        return False
    return if_none_match.strip() == "*" or etag_of(revision) in _tags(if_none_match)
