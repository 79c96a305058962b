"""Course profiles from TOML: the ones Praxis ships (`config/profiles/*.toml`) by name, or any file by path.

`load_profile` is what the settings call at start, so a profile that cannot be read or breaks a rule stops the
process with a message naming the file and the field, before any project could start under it.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from pydantic import ValidationError

from domain.profile import NTUST_V1, CourseProfile, ProfileRef

SHIPPED = files("config") / "profiles"


class ProfileError(ValueError):
    """A course profile that cannot be used; the message names the profile and each offending field."""


def shipped_profiles() -> list[str]:
    """The names of the profiles Praxis ships (`ntust`, `ntnu`)."""
    return sorted(entry.name.removesuffix(".toml") for entry in SHIPPED.iterdir() if entry.name.endswith(".toml"))


def load_profile(name_or_path: str) -> CourseProfile:
    """A shipped profile by name (`ntust`), or a TOML file by path (anything with a `/` or ending in `.toml`)."""
    if "/" in name_or_path or name_or_path.endswith(".toml"):
        path = Path(name_or_path)
        if not path.is_file():
            raise ProfileError(f"course profile {name_or_path}: no such file")
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        resource = SHIPPED / f"{name_or_path}.toml"
        if not resource.is_file():
            shipped = ", ".join(shipped_profiles())
            raise ProfileError(f"course profile {name_or_path!r}: no such profile (shipped: {shipped}; or give a path)")
        text, where = resource.read_text(encoding="utf-8"), f"{name_or_path} (shipped)"
    return parse_profile(text, where)


def profile_for(ref: ProfileRef, current: CourseProfile) -> CourseProfile:
    """The profile a project names, for what a page says about it: the deployment's when it is that one,
    NTUST's first, or a shipped profile of that name and version; else the deployment's (its numbers are
    the project's own wherever the project checks a rule, this is only for words on a page)."""
    if ref == current.ref:
        return current
    if ref == NTUST_V1.ref:
        return NTUST_V1
    if ref.name in shipped_profiles():
        shipped = load_profile(ref.name)
        if shipped.ref == ref:
            return shipped
    return current


def parse_profile(text: str, where: str) -> CourseProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"course profile {where}: not valid TOML: {error}") from None
    try:
        return CourseProfile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{_field(e['loc'])}: {e['msg']}" for e in error.errors(include_url=False))
        raise ProfileError(f"course profile {where} is invalid: {problems}") from None


def _field(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as the TOML reads it: `schedule.invitation_expiry_days`, `frame.items[2].id`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"
