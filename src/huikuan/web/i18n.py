"""The console's languages: gettext message catalogues (Babel), one locale per request.

Message ids are the English text; `locale/zh_CN/LC_MESSAGES/*.po` translate them. Each console
area keeps its own `.po` file (dashboard.po, portfolio.po, ...) so areas grow without touching
one another; they are merged into one catalogue per locale when first used. English needs no
catalogue: its text is the message id.

zh-CN is the default; the visitor's choice is a cookie set by `/lang/{code}`. Templates call
`_()` / `ngettext()` (Jinja's i18n extension); Python marks strings with `N_()` so `pybabel`
and the catalogue test find them, and translates them with `translate(lang, text)`.
Dates, numbers and amounts are formatted per locale by Babel, in the floor's time zone.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations
from fastapi import Request
from jinja2 import pass_context

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANG = "zh_CN"
LANGS: dict[str, str] = {"zh_CN": "中文", "en": "English"}  # each named in its own language
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
LANG_COOKIE = "huikuan_lang"


def N_(text: str) -> str:
    """Mark `text` for the catalogue without translating it here (translated where shown)."""
    return text


@cache
def translations(lang: str) -> NullTranslations:
    """The merged catalogue of `lang` (all of its area files); English is the identity."""
    merged: NullTranslations = NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    if lang == "en" or not folder.is_dir():
        return merged
    result: Translations | None = None
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext would
        buffer.seek(0)
        part = Translations(buffer, domain="messages")
        if result is None:
            result = part
        else:
            result.merge(part)
    return result or merged


def translate(lang: str, text: str, **variables: Any) -> str:
    """`text` (an English message id) in `lang`, with `%(name)s` variables filled in."""
    translated = translations(lang).gettext(text)
    return translated % variables if variables else translated


def lang_of(request: Request) -> str:
    """The request's console language: the visitor's cookie, else zh-CN."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGS else DEFAULT_LANG


def _lang(context: Any) -> str:
    lang = context.get("lang", DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


@pass_context
def _gettext(context: Any, text: str) -> str:
    return translations(_lang(context)).gettext(text)


@pass_context
def _ngettext(context: Any, singular: str, plural: str, count: int) -> str:
    return translations(_lang(context)).ngettext(singular, plural, count)


def install(env: Any) -> None:
    """Give a Jinja environment `_()`, `ngettext()` and the locale-aware formatting filters;
    an instant is shown in the zone the page's `timezone` names (the floor's), else UTC."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)

    @pass_context
    def when(context: Any, instant: datetime | None, fmt: str = "short") -> str:
        if instant is None:
            return "—"
        zone = ZoneInfo(context.get("timezone") or "UTC")
        aware = instant if instant.tzinfo else instant.replace(tzinfo=ZoneInfo("UTC"))
        return babel_format_datetime(aware.astimezone(zone), fmt, tzinfo=zone, locale=_lang(context))

    @pass_context
    def number(context: Any, value: int | float | Decimal | None) -> str:
        return "—" if value is None else format_decimal(value, locale=_lang(context))

    @pass_context
    def percent(context: Any, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "—"
        return format_percent(value, format="#,##0." + "0" * digits + "%", locale=_lang(context))

    @pass_context
    def money(context: Any, cents: int | None, currency: str = "CNY") -> str:
        """An amount kept in cents (fen) as the locale writes it: ¥3,500.00 / CN¥3,500.00."""
        if cents is None:
            return "—"
        return format_currency(Decimal(cents) / 100, currency, locale=_lang(context))

    env.filters.update(when=when, number=number, percent=percent, money=money)
