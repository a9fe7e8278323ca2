"""Dates in what people say, resolved against a reference date ('today').

Hand-written because relative spoken dates ('下个月5号', '大后天', 'next friday', 'the 15th')
need the collection conventions below, which general date parsers do not follow:
- a bare weekday ('周五', 'friday') is the next one, today included;
- '下周五' / '下礼拜五' / '下個禮拜五' / 'next friday' is the Friday of next week (Monday-based
  weeks; simplified and traditional characters alike);
- '上周三' / 'last friday' is in the past (said about payments already made);
- a bare day of month ('15号', 'the 15th') is the next such day, today included;
- a month and day already past this year ('march 3rd' in April) is next year's.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from huikuan.dialogue.nlu.numerals import ZH_NUMERAL, parse_int, words_to_number


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + months
    return index // 12, index % 12 + 1


def _weekday(today: date, weekday: int, week: int) -> date:
    """week 0: the next such weekday (today included); 1: in next week; -1: in the past."""
    monday = today - timedelta(days=today.weekday())
    if week == 1:
        return monday + timedelta(days=7 + weekday)
    if week == -1:
        back = (today.weekday() - weekday) % 7 or 7
        return today - timedelta(days=back)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def monday_of_next_week(today: date) -> date:
    """The Monday after `today`'s week."""
    return _weekday(today, 0, 1)


def first_of_next_month(today: date) -> date:
    """The 1st of the month after `today`'s."""
    return date(*_add_months(today, 1), 1)


def _this_week(today: date, weekday: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(days=weekday)


def _day_of_month(today: date, day: int, month: int | None = None, months_ahead: int = 0) -> date | None:
    if not 1 <= day <= 31 or (month is not None and not 1 <= month <= 12):
        return None
    if months_ahead:
        year, mon = _add_months(today, months_ahead)
        return date(year, mon, min(day, calendar.monthrange(year, mon)[1]))
    if month is not None:
        for year in (today.year, today.year + 1):
            if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
                return date(year, month, day)
        return None
    for ahead in range(3):
        year, mon = _add_months(today, ahead)
        if day <= calendar.monthrange(year, mon)[1] and date(year, mon, day) >= today:
            return date(year, mon, day)
    return None


_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_ZH_FIXED = {
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "琴日": -1,
    "今天": 0,
    "今日": 0,
    "今晚": 0,
    "今早": 0,
    "而家": 0,
    "明天": 1,
    "明日": 1,
    "明早": 1,
    "明晚": 1,
    "听日": 1,
    "聽日": 1,
    "后天": 2,
    "後天": 2,
    "后日": 2,
    "後日": 2,
    "大后天": 3,
    "大後天": 3,
}
_ZH_DATE = re.compile(
    r"(?P<fixed>大后天|大後天|前天|昨天|昨日|琴日|今天|今日|今晚|今早|明天|明日|明早|明晚|听日|聽日|后天|後天|后日|後日)"
    r"|(?P<nextend>下[个個]?月[底末])|(?P<end>月底|月末)|(?P<nextstart>下[个個]?月初)"
    rf"|(?P<rel>下下|下[个個]?|上[个個]?|[这這][个個]?|本)?(?:周|週|星期|礼拜|禮拜)(?P<wd>[一二三四五六日天末])"
    rf"|(?P<nm>下[个個]?月)(?P<nmd>[0-9]{{1,2}}|[{ZH_NUMERAL}]{{1,3}})[号日號]"
    rf"|(?:(?P<mon>[0-9]{{1,2}}|[{ZH_NUMERAL}]{{1,3}})月)?(?P<dom>[0-9]{{1,2}}|[{ZH_NUMERAL}]{{1,3}})[号日號]"
)


def date_zh(text: str, today: date) -> tuple[date | None, str]:
    """The first date in Chinese `text`, resolved against `today`, and the text without it."""
    for m in _ZH_DATE.finditer(text):
        found = _resolve_zh(m, today)
        if found is not None:
            return found, text[: m.start()] + " " + text[m.end() :]
    return None, text


def _resolve_zh(m: re.Match[str], today: date) -> date | None:
    if m.group("fixed"):
        return today + timedelta(days=_ZH_FIXED[m.group("fixed")])
    if m.group("end"):
        return _month_end(today.year, today.month)
    if m.group("nextend"):
        return _month_end(*_add_months(today, 1))
    if m.group("nextstart"):
        return date(*_add_months(today, 1), 1)
    if m.group("wd"):
        rel = m.group("rel") or ""
        weekday = _ZH_WEEKDAYS[m.group("wd")]
        if rel == "下下":
            return _weekday(today, weekday, 1) + timedelta(days=7)
        if rel.startswith("下"):
            return _weekday(today, weekday, 1)
        if rel.startswith("上"):
            return _this_week(today, weekday) - timedelta(days=7)
        if rel:
            return _this_week(today, weekday)
        return _weekday(today, weekday, 0)
    if m.group("nm"):
        day = parse_int(m.group("nmd"))
        return _day_of_month(today, day, months_ahead=1) if day else None
    day = parse_int(m.group("dom"))
    month = parse_int(m.group("mon")) if m.group("mon") else None
    if m.group("mon") and month is None:
        return None
    return _day_of_month(today, day, month) if day else None


_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_EN_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday",),
            ("tuesday", "tues"),
            ("wednesday",),
            ("thursday", "thurs"),
            ("friday",),
            ("saturday",),
            ("sunday",),
        ]
    )
    for name in names
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_ORD_WORD = r"(?:(?:twenty|thirty)[\s-]+)?(?:" + "|".join(_ORDINALS) + ")"
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORD_WORD})"
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WD = "(?:" + "|".join(sorted(_EN_WEEKDAYS, key=len, reverse=True)) + ")"
_EN_DATE = re.compile(
    r"\b(?:(?P<dat>(?:the\s+)?day\s+after\s+tomorrow)|(?P<fixed>tomorrow|tmrw|today|tonight|yesterday)"
    r"|(?P<endnext>end\s+of\s+next\s+month)|(?P<end>end\s+of\s+(?:the\s+|this\s+)?month|month\s+end)"
    rf"|(?P<rel>next|this|last|coming)?\s*(?P<wd>{_WD})\b"
    rf"|(?P<md_m>{_MONTH})\s+(?:the\s+)?(?P<md_d>{_DAY})\b"
    rf"|(?:the\s+)?(?P<dm_d>{_DAY})\s+of\s+(?:(?P<dm_next>next\s+month)|(?P<dm_m>{_MONTH}))"
    r"|(?P<inn>in\s+(?P<inn_n>\d+|\w+)\s+days?)"
    r"|(?P<slash_m>\d{1,2})/(?P<slash_d>\d{1,2})(?!/)"
    rf"|the\s+(?P<the_d>{_DAY})\b|(?P<bare_d>\d{{1,2}}(?:st|nd|rd|th))\b)"
)


def _day_number(token: str) -> int | None:
    token = token.strip()
    digits = re.match(r"\d+", token)
    if digits:
        return int(digits.group(0))
    parts = re.split(r"[\s-]+", token)
    tens = {"twenty": 20, "thirty": 30}.get(parts[0], 0) if len(parts) == 2 else 0
    last = _ORDINALS.get(parts[-1])
    return tens + last if last else None


def date_en(text: str, today: date) -> tuple[date | None, str]:
    """The first date in English `text`, resolved against `today`, and the text without it."""
    for m in _EN_DATE.finditer(text):
        found = _resolve_en(m, today, text[m.end() :])
        if found is not None:
            return found, text[: m.start()] + " " + text[m.end() :]
    return None, text


def _resolve_en(m: re.Match[str], today: date, after: str) -> date | None:
    if m.group("dat"):
        return today + timedelta(days=2)
    if m.group("fixed"):
        word = m.group("fixed")
        return today + timedelta(days={"yesterday": -1, "tomorrow": 1, "tmrw": 1}.get(word, 0))
    if m.group("endnext"):
        return _month_end(*_add_months(today, 1))
    if m.group("end"):
        return _month_end(today.year, today.month)
    if m.group("wd"):
        weekday = _EN_WEEKDAYS[m.group("wd")]
        rel = m.group("rel")
        if rel == "next":
            return _weekday(today, weekday, 1)
        if rel == "last":
            return _weekday(today, weekday, -1)
        return _weekday(today, weekday, 0)
    if m.group("md_m"):
        day = _day_number(m.group("md_d"))
        return _day_of_month(today, day, _MONTHS[m.group("md_m").rstrip(".")]) if day else None
    if m.group("dm_d"):
        day = _day_number(m.group("dm_d"))
        if not day:
            return None
        if m.group("dm_next"):
            return _day_of_month(today, day, months_ahead=1)
        return _day_of_month(today, day, _MONTHS[m.group("dm_m").rstrip(".")])
    if m.group("inn"):
        raw = m.group("inn_n")
        n = int(raw) if raw.isdigit() else words_to_number(raw)
        return today + timedelta(days=n) if n is not None and 0 < n <= 90 else None
    if m.group("slash_m"):
        month, day = int(m.group("slash_m")), int(m.group("slash_d"))
        return _day_of_month(today, day, month)
    day = _day_number(m.group("the_d") or m.group("bare_d"))
    if not day:
        return None
    if re.match(r"\s*of\s+next\s+month|\s*next\s+month", after) or re.search(r"next\s+month", after[:30]):
        return _day_of_month(today, day, months_ahead=1)
    return _day_of_month(today, day)
