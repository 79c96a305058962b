"""Pages in the reader's language (issue 12, item 3): English, Traditional Chinese, or both (the default), as
the mails are.

Templates say every phrase as `say(en, zh)` (or `say(a_label)`); the page's `lang` (a `MailLanguage`) picks
what is shown. Bilingual pages are English first with the Chinese marked `lang="zh-Hant"`, so screen readers
and fonts switch with it; the `<html lang>` is the language the page starts in.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from domain import labels
from domain.labels import Label
from domain.vocabulary import Category, Indicator, MailLanguage
from rendering.words import day, taipei, zh_date, zh_day

HTML_LANG = {MailLanguage.BILINGUAL: "en", MailLanguage.EN: "en", MailLanguage.ZH: "zh-Hant"}


def page_language(context: Context | dict[str, Any]) -> MailLanguage:
    return MailLanguage(context.get("lang") or MailLanguage.BILINGUAL)


def _label(en: Label | str, zh: str | None) -> Label:
    if isinstance(en, Label):
        return en
    return Label(en, zh if zh is not None else en)


@pass_context
def say(context: Context, en: Label | str, zh: str | None = None, separator: str = " ") -> Markup:
    """The phrase in the page's language; both, English first, on a bilingual page."""
    phrase = _label(en, zh)
    language = page_language(context)
    if language is MailLanguage.EN:
        return escape(phrase.en)
    if language is MailLanguage.ZH:
        return escape(phrase.zh)
    if phrase.en == phrase.zh:
        return escape(phrase.en)
    return (
        escape(phrase.en) + escape(separator) + Markup('<span lang="zh-Hant">') + escape(phrase.zh) + Markup("</span>")
    )


@pass_context
def say_plain(context: Context, en: Label | str, zh: str | None = None) -> str:
    """Where no markup may go (a page's `<title>`): `English / 中文` on a bilingual page."""
    phrase = _label(en, zh)
    language = page_language(context)
    if language is MailLanguage.EN:
        return phrase.en
    if language is MailLanguage.ZH:
        return phrase.zh
    return phrase.both() if phrase.en != phrase.zh else phrase.en


def words(value: object) -> Label:
    """A course code (category, indicator, format, hour kind, ...) in both languages."""
    if isinstance(value, StrEnum):
        try:
            return labels.label(value)
        except KeyError:
            pass
    text = str(value)
    # Frame items and categories travel as plain ids in a course profile's projects; NTUST's have labels.
    for vocabulary in (Indicator, Category):
        if text in set(vocabulary):
            return labels.label(vocabulary(text))
    return Label(text.replace("_", " ").capitalize(), text.replace("_", " "))


@pass_context
def when(context: Context, at: datetime | None) -> Markup:
    """A Taipei time in the page's language (`words.taipei` in English, `words.zh_date` in Chinese)."""
    if at is None:
        return Markup("")
    return say(context, Label(taipei(at), zh_date(at)))


@pass_context
def on_day(context: Context, at: date) -> Markup:
    """A calendar date in the page's language (`words.day` in English, `words.zh_day` in Chinese)."""
    return say(context, Label(day(at), zh_day(at)))
