"""The one Jinja environment: mail templates (`templates/mail`, text `.j2` and the HTML layout `.html.j2`)
and page templates (`templates/pages`, `.html`).

HTML is escaped (pages, the mail's HTML layout); a mail's text blocks are not, because they are text. Undefined
variables are errors, so a template never silently prints nothing where a value was meant.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rendering import bilingual, words

TEMPLATES_DIR = Path(__file__).parent / "templates"
MAIL_TEMPLATES_DIR = TEMPLATES_DIR / "mail"
PAGE_TEMPLATES_DIR = TEMPLATES_DIR / "pages"

env = Environment(
    # Names do not collide: mails end in .j2, pages in .html.
    loader=ChoiceLoader([FileSystemLoader(MAIL_TEMPLATES_DIR), FileSystemLoader(PAGE_TEMPLATES_DIR)]),
    autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["en_date"] = words.en_date
env.filters["zh_date"] = words.zh_date
env.filters["format_en"] = lambda value: words.format_label(value, words.FORMATS_EN)
env.filters["format_zh"] = lambda value: words.format_label(value, words.FORMATS_ZH)
# Notice contexts are strings; a date travels as ISO 8601 (`{{ c.deadline | instant | en_date }}`).
env.filters["instant"] = datetime.fromisoformat
env.filters["label"] = words.label
env.filters["taipei"] = words.taipei
env.filters["day"] = words.day
env.filters["number"] = words.number
# Pages in the reader's language (issue 12): `say(en, zh)`, `say_plain` for the <title>, `code | words` a Label.
env.globals["say"] = bilingual.say
env.globals["say_plain"] = bilingual.say_plain
env.globals["when"] = bilingual.when
env.globals["on_day"] = bilingual.on_day
env.globals["html_lang"] = bilingual.HTML_LANG
env.filters["words"] = bilingual.words
