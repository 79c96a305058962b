"""What a name, an address or an id may hold wherever it enters Praxis: the directory routes, the CSV import
and the claims of a bearer token.

A control character (a line break above all) in a person's name breaks every mail to them: the `To:` header
cannot carry it. Refusing it at the door keeps one bad entry from silencing a project.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# Line and paragraph separators end a line as surely as CR or LF do.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def control_characters(value: str) -> list[str]:
    """The control characters in `value`, as `U+000A`-style names (empty when it is one clean line)."""
    return sorted({f"U+{ord(ch):04X}" for ch in value if unicodedata.category(ch) in _BREAKING})


def single_line(value: str) -> str:
    """Refuse control characters (line breaks, tabs, NUL …): names and addresses are one line of text."""
    found = control_characters(value)
    if found:
        raise ValueError(f"must be one line of text without control characters (found {', '.join(found)})")
    return value


PersonName = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(single_line)]
OneLine = Annotated[str, StringConstraints(max_length=200), AfterValidator(single_line)]

# An id the university gives (a student number, a staff id): it starts with a letter or digit, so `.` and
# `..` (path segments, not ids) and hidden-file-like names are never ids.
ENTRY_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
EntryId = Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]
# Ids Praxis makes (projects, groups, hours entries, evidence): the same first character rule, no dots.
ITEM_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
