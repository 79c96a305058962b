"""The dev mail keeper (SPEC §5): every mail is kept as a file and read back as /dev/mail serves it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from devstack.mailkeeper import make_controller
from store.keptmail import find_links, read_kept_mails
from tests.support.net import free_port


@dataclass
class Keeper:
    port: int
    mail_dir: Path


@pytest.fixture
def keeper(tmp_path: Path) -> Iterator[Keeper]:
    mail_dir = tmp_path / "mail"  # not created: the keeper must make it
    port = free_port()
    controller = make_controller(mail_dir, "127.0.0.1", port)
    controller.start()
    yield Keeper(port, mail_dir)
    controller.stop()


def invitation(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Praxis <praxis@localhost>"
    msg["To"] = "Prof. Chen <chen@mail.ntust.edu.tw>"
    msg["Subject"] = subject
    msg.set_content("Please accept: http://127.0.0.1:8000/a/tok123?x=1&y=2.\nCourse page https://cge.ntust.edu.tw/sp\n")
    msg.add_alternative(
        '<p><a href="http://127.0.0.1:8000/a/tok123?x=1&amp;y=2">Accept</a>'
        ' <a href="http://127.0.0.1:8000/a/tok456">Decline</a></p>',
        subtype="html",
    )
    return msg


async def test_keeps_multipart_mail_with_links(keeper: Keeper) -> None:
    """A text+html mail is kept with its recipients (Bcc included), both bodies and its absolute links in order."""
    await aiosmtplib.send(
        invitation("Supervision invitation"),
        hostname="127.0.0.1",
        port=keeper.port,
        recipients=["chen@mail.ntust.edu.tw", "audit@localhost"],
    )
    [mail] = read_kept_mails(keeper.mail_dir)
    assert mail.to == ["chen@mail.ntust.edu.tw", "audit@localhost"]
    assert mail.subject == "Supervision invitation"
    assert mail.text is not None
    assert "Please accept" in mail.text
    assert mail.html is not None
    assert "Decline" in mail.html
    assert mail.links == [
        "http://127.0.0.1:8000/a/tok123?x=1&y=2",
        "https://cge.ntust.edu.tw/sp",
        "http://127.0.0.1:8000/a/tok456",
    ]
    assert mail.received_at.tzinfo is not None


async def test_mails_come_back_in_arrival_order_and_complete(keeper: Keeper) -> None:
    """File names sort by arrival, and only finished .eml files exist (written to a temp name, then renamed)."""
    for n in range(3):
        await aiosmtplib.send(invitation(f"mail {n}"), hostname="127.0.0.1", port=keeper.port)
    mails = read_kept_mails(keeper.mail_dir)
    assert [m.subject for m in mails] == ["mail 0", "mail 1", "mail 2"]
    assert [m.received_at for m in mails] == sorted(m.received_at for m in mails)
    assert len({m.id for m in mails}) == 3
    assert sorted(p.suffix for p in keeper.mail_dir.iterdir()) == [".eml"] * 3


def test_no_mail_dir_means_no_mail(tmp_path: Path) -> None:
    """Before the first mail the directory may not exist; /dev/mail then shows an empty list."""
    assert read_kept_mails(tmp_path / "absent") == []


def test_headers_only_mail_falls_back_to_to_and_cc(tmp_path: Path) -> None:
    """An .eml placed by hand (no envelope header) still lists its To and Cc addresses."""
    (tmp_path / "20250101T000000000000Z-manual.eml").write_bytes(
        b"To: A <a@x.tw>, b@x.tw\r\nCc: c@x.tw\r\nSubject: hi\r\n\r\nsee https://x.tw/p\r\n"
    )
    [mail] = read_kept_mails(tmp_path)
    assert mail.to == ["a@x.tw", "b@x.tw", "c@x.tw"]
    assert mail.html is None
    assert mail.links == ["https://x.tw/p"]


def test_links_are_absolute_http_urls_without_trailing_punctuation() -> None:
    """Only http(s) URLs count; sentence punctuation after a URL is not part of it; duplicates collapse."""
    text = "Go to https://a.tw/x. Or (http://b.tw/y), mailto:z@a.tw, ftp://c.tw, /relative, https://a.tw/x!"
    assert find_links(text, '<a href="https://d.tw/?q=1">d</a>') == [
        "https://a.tw/x",
        "http://b.tw/y",
        "https://d.tw/?q=1",
    ]
