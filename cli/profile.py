"""`praxis profile check [NAME|PATH]`: read a course profile as every process will at start, and say what it
sets, or why it would stop them (SPEC §7). Nothing else is touched: no database, no Temporal."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from config.course_profile import ProfileError, load_profile
from domain.profile import CourseProfile

app = typer.Typer(help="Course profiles (SPEC §7): the course's numbers and frames.", no_args_is_help=True)


def summary(profile: CourseProfile) -> list[str]:
    """What an operator checks before rolling a profile out, one line each."""
    course, schedule = profile.course, profile.schedule
    frame = ", ".join(f"{item.id} ({item.en} / {item.zh})" for item in profile.frame.items)
    return [
        f"profile {profile.name} v{profile.version}: {course.title.en} ({course.code}), {course.credits} credit(s), "
        f"{course.office.en}, {course.university.en}",
        f"hours: {profile.hours.required} of {', '.join(profile.hours.counted_kinds)}",
        f"evidence: {profile.evidence.participation_photos} participation photos, "
        f"{profile.evidence.reflection_records} reflection records",
        f"{profile.frame.kind}: {frame}",
        f"categories: {', '.join(profile.accepted.categories)}",
        f"priority tags: {', '.join(profile.accepted.priority_tags)}",
        f"may supervise: {', '.join(profile.accepted.eligible_ranks)}",
        f"invitation: reminders on days {schedule.invitation_reminder_days}, lapses on day "
        f"{schedule.invitation_expiry_days}",
        f"evaluation: reminders on days {schedule.evaluation_reminder_days} then every "
        f"{schedule.evaluation_reminder_every_days}, the center told on day {schedule.evaluation_escalation_days}; "
        f"a student may ask every {schedule.reminder_request_interval_days} days",
        f"review digest after {schedule.review_digest_after_days} days; signed lists to {profile.signed_lists_office}",
    ]


@app.command("check")
def check(
    profile: Annotated[
        str | None,
        typer.Argument(help="A shipped profile's name (ntust, ntnu) or a .toml path; default: PRAXIS_COURSE_PROFILE."),
    ] = None,
) -> None:
    """Read a profile and print what it sets; exit 1 naming each field at fault if it would stop Praxis."""
    try:
        loaded = load_profile(profile) if profile is not None else _configured()
    except (ProfileError, ValidationError) as error:
        typer.echo(f"praxis profile check: {error}", err=True)
        raise typer.Exit(1) from error
    for line in summary(loaded):
        typer.echo(line)


def _configured() -> CourseProfile:
    """The profile the settings name (PRAXIS_COURSE_PROFILE or .env), read as a process reads it at start."""
    from config.settings import Settings

    return Settings().profile
