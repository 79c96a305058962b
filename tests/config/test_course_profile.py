"""Course profiles (SPEC §7): the shipped TOML files, the setting that picks one, and the refusal at start of a
profile that breaks a rule, naming the field."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from config.course_profile import SHIPPED, ProfileError, load_profile, parse_profile, shipped_profiles
from config.settings import Settings
from domain.deadlines import (
    EVALUATION_ESCALATION_DAYS,
    EVALUATION_REMINDER_DAYS,
    INVITATION_EXPIRY_DAYS,
    INVITATION_REMINDER_DAYS,
    REMINDER_REQUEST_INTERVAL,
)
from domain.digest import REVIEW_WAIT
from domain.labels import INDICATORS
from domain.profile import NTUST_V1, CourseProfile
from domain.vocabulary import ELIGIBLE_RANKS, Category, HourKind, Indicator, PriorityTag, Rank
from domain.work import REQUIRED_HOURS, REQUIRED_PARTICIPATION_PHOTOS


def ntust_toml() -> dict[str, Any]:
    return tomllib.loads((SHIPPED / "ntust.toml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict[str, Any]) -> str:
    """A profile file from a dict (tomllib reads; writing TOML by hand keeps the test free of a writer)."""

    def value(v: Any) -> str:
        if isinstance(v, str):
            return '"' + v.replace('"', '\\"') + '"'
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return str(v)

    lines = [f"{key} = {value(v)}" for key, v in data.items() if not isinstance(v, dict)]
    for table, body in data.items():
        if isinstance(body, dict):
            lines.append(f"[{table}]")
            lines.extend(f"{key} = {value(v)}" for key, v in body.items())
    path = tmp_path / "course.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_ntust_is_the_default_and_its_file_is_the_frozen_first_version() -> None:
    """The default setting loads ntust.toml, which equals NTUST_V1, the profile of projects from before profiles."""
    assert Settings().course_profile == "ntust"
    assert Settings().profile == NTUST_V1
    assert load_profile("ntust") == NTUST_V1
    assert shipped_profiles() == ["ntnu", "ntust"]


def test_ntust_profile_holds_todays_numbers() -> None:
    """NTUST v1 reproduces the course as the rules had it hard-coded: R5-R8, R10, R12, R14-R16, R20, R23."""
    p = NTUST_V1
    assert (p.course.code, p.course.credits) == ("TC1010", Decimal(1))
    assert p.hours.required == REQUIRED_HOURS == 36
    assert p.hours.counted_kinds == [HourKind.EXECUTION]
    assert (p.evidence.participation_photos, p.evidence.reflection_records) == (REQUIRED_PARTICIPATION_PHOTOS, 1)
    assert list(p.frame.ids) == list(Indicator)
    assert {i.id: (i.en, i.zh) for i in p.frame.items} == {k.value: (v.en, v.zh) for k, v in INDICATORS.items()}
    assert p.accepted.categories == list(Category)
    assert p.accepted.priority_tags == list(PriorityTag)
    assert set(p.accepted.eligible_ranks) == ELIGIBLE_RANKS
    s = p.schedule
    assert tuple(s.invitation_reminder_days) == INVITATION_REMINDER_DAYS
    assert s.invitation_expiry_days == INVITATION_EXPIRY_DAYS
    assert tuple(s.evaluation_reminder_days) == EVALUATION_REMINDER_DAYS
    assert s.evaluation_escalation_days == EVALUATION_ESCALATION_DAYS
    assert s.evaluation_days_until(30) == [7, 14, 21, 28, 35]
    assert s.reminder_request_interval_days == REMINDER_REQUEST_INTERVAL.days
    assert s.review_digest_after_days == REVIEW_WAIT.days
    assert p.signed_lists_office == "T4-832"


def test_ntnu_profile_has_its_own_frame_and_numbers() -> None:
    """The second example: five competencies instead of indicators, and numbers that differ from NTUST's."""
    ntnu = Settings(course_profile="ntnu").profile
    assert ntnu.ref.model_dump() == {"name": "ntnu", "version": 1}
    assert ntnu.frame.kind == "competencies"
    assert len(ntnu.frame.items) == 5 and not set(ntnu.frame.ids) & set(NTUST_V1.frame.ids)
    assert ntnu.hours.required != NTUST_V1.hours.required
    assert ntnu.hours.counted_kinds == [HourKind.EXECUTION, HourKind.REFLECTION]
    assert Rank.LECTURER in ntnu.accepted.eligible_ranks
    assert ntnu.schedule.invitation_expiry_days != NTUST_V1.schedule.invitation_expiry_days


def test_a_profile_by_path(tmp_path: Path) -> None:
    """PRAXIS_COURSE_PROFILE takes a path: a copy of NTUST's with a new version and another number."""
    data = ntust_toml()
    data["name"], data["version"] = "ntust", 2
    data["hours"]["required"] = 40
    path = write(tmp_path, data)
    profile = Settings(course_profile=path).profile
    assert (profile.version, profile.hours.required) == (2, Decimal(40))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["schedule"].update(invitation_expiry_days=0), "schedule.invitation_expiry_days"),
        (lambda d: d["schedule"].update(invitation_reminder_days=[3, 20]), "schedule"),
        (lambda d: d["schedule"].update(evaluation_escalation_days=20), "schedule"),
        (lambda d: d["hours"].update(required=-1), "hours.required"),
        (lambda d: d["hours"].update(counted_kinds=["sleeping"]), "hours.counted_kinds[0]"),
        (lambda d: d["accepted"].update(eligible_ranks=["professor", "staff"]), "accepted"),
        (lambda d: d["frame"]["items"].append(dict(d["frame"]["items"][0])), "frame"),
        (lambda d: d["frame"]["items"][1].update(id="Civic Consciousness"), "frame.items[1].id"),
        (lambda d: d["evidence"].pop("participation_photos"), "evidence.participation_photos"),
        (lambda d: d["course"].update(seats=30), "course.seats"),
        (lambda d: d.update(version=0), "version"),
    ],
)
def test_invalid_profile_refused_at_start_naming_the_field(tmp_path: Path, change: Any, field: str) -> None:
    """A profile that breaks a rule stops Settings (so every process) at start; the message names the file
    and the field as the TOML spells it."""
    data = ntust_toml()
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(ValidationError) as refused:
        Settings(course_profile=path)
    message = str(refused.value)
    assert f"course profile {path} is invalid" in message
    assert f"{field}:" in message


def test_unknown_name_missing_file_and_broken_toml_are_refused(tmp_path: Path) -> None:
    """A name that is not shipped lists the shipped ones; a missing file and a TOML syntax error say so."""
    with pytest.raises(ProfileError, match=r"no such profile \(shipped: ntnu, ntust"):
        load_profile("ntu")
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(str(tmp_path / "absent.toml"))
    with pytest.raises(ProfileError, match="not valid TOML"):
        parse_profile("name = ", "broken.toml")


def test_profile_is_frozen() -> None:
    """A profile is shared by every project that started with it: nothing can change it in place."""
    with pytest.raises(ValidationError):
        NTUST_V1.hours.required = Decimal(10)  # type: ignore[misc]
    assert isinstance(CourseProfile.model_validate(NTUST_V1.model_dump(mode="json")), CourseProfile)
