"""Real parts for the mail activity: an aiosmtpd server on a free port and a migrated SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from activities.mail.notices import MailActivities
from config.settings import Settings
from store.db import make_engine, migrate, session
from store.directory import upsert_faculty, upsert_student
from tests.activities.support import FACULTY, PUBLIC_URL, STUDENT
from tests.support.mailsink import MailSink


@pytest.fixture
def sink() -> Iterator[MailSink]:
    server = MailSink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def db_engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{(tmp_path / 'praxis.db').as_posix()}"
    migrate(url)
    engine = make_engine(url)
    with session(engine) as s:
        upsert_student(s, STUDENT)
        upsert_faculty(s, FACULTY)
    yield engine
    engine.dispose()


@pytest.fixture
def mail_settings(sink: MailSink, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        var_dir=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        public_url=PUBLIC_URL,
        action_link_secret=SecretStr("test-action-link-secret-0123456789abcdef"),
        center_email="cge@mail.example.edu",
        osa_email="osa@mail.example.edu",
    )


@pytest.fixture
def mail(mail_settings: Settings, db_engine: Engine) -> MailActivities:
    return MailActivities(mail_settings, db_engine)
