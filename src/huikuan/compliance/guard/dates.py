"""Calendar dates as a robot sentence says them ("2月30日", "2025年12月31日", "April 31st").

Each mention keeps the year when one was said, so the fact checks can tell a day that never
exists (2月30日, April 31, 29 February of a common year) from a real one, and a deadline already
gone from one still ahead. Relative days that are always past ("昨天", "yesterday", "上周五",
"last Friday") are mentions too, with no date. Hand-written: a date parser such as dateparser
(not a dependency) silently rolls 2月30日 over to March, which is exactly what must be caught.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from huikuan.compliance.guard.numbers import en_words_value

_ZH_SMALL = "零〇一二两三四五六七八九十"
_ZH_DATE = re.compile(
    rf"(?:(?P<y>\d{{4}})年)?(?P<m>\d{{1,2}}|[{_ZH_SMALL}]{{1,3}})月(?:份)?(?P<d>\d{{1,2}}"
    rf"|[{_ZH_SMALL}]{{1,3}})(?:日|号)"
)
_ZH_THIS_MONTH = re.compile(
    rf"(?P<which>本月|这个月|当月|下个月|下月)(?P<d>\d{{1,2}}|[{_ZH_SMALL}]{{1,3}})(?:日|号)"
)
_ZH_WEEKDAYS = "一二三四五六日天"
_ZH_THIS_WEEK = re.compile(rf"(?:本|这个?)(?:周|星期|礼拜)(?P<w>[{_ZH_WEEKDAYS}])")
_ZH_PAST = re.compile(r"昨天|前天|昨日|上(?:个)?(?:周|星期|礼拜)[一二三四五六日天末]?|上个月|上月")

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_ALT = "|".join(
    [*_MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec"]
)
_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TEENS = (
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
)  # fmt: skip
# "fifth" → 5, "twenty-first" → 21, "thirty-second" → 32 (a day that does not exist is still a day said)
ORDINAL_WORDS: dict[str, int] = {
    **{w: i + 1 for i, w in enumerate(_UNITS)},
    **{w: i + 10 for i, w in enumerate(_TEENS)},
    "twentieth": 20,
    "thirtieth": 30,
    **{f"{tens}{sep}{w}": base + i + 1 for tens, base in (("twenty", 20), ("thirty", 30))
       for sep in ("-", " ") for i, w in enumerate(_UNITS)},
}  # fmt: skip
_ORDINAL_WORD = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
_ORDINAL = rf"(?P<{{0}}>\d{{{{1,2}}}}(?:st|nd|rd|th)?|{_ORDINAL_WORD})"
_EN_DATE = re.compile(
    rf"\b(?P<mon>{_MONTH_ALT})\.?\s+{_ORDINAL.format('d')}\b(?:,?\s+(?P<y>\d{{4}}))?"
    rf"|\bthe\s+{_ORDINAL.format('d2')}\s+of\s+(?P<mon2>{_MONTH_ALT})\b(?:,?\s+(?P<y2>\d{{4}}))?"
    r"|\b(?P<nm>\d{1,2})/(?P<nd>\d{1,2})/(?P<ny>\d{4})\b"
    rf"|\b{_ORDINAL.format('d3')}\s+(?:of\s+)?(?P<mon3>{_MONTH_ALT})\b(?:,?\s+(?P<y3>\d{{4}}))?"
    r"|(?:(?<=by )|(?<=on )|(?<=before )|(?<=until )|(?<=than )|(?<=is )"
    r"|(?<=was ))(?P<sm>\d{1,2})/(?P<sd>\d{1,2})"
    r"\b(?!/)"
    # "the 32nd of this month", "the fifth of next month": the month is counted from today
    rf"|\bthe\s+{_ORDINAL.format('d4')}\s+of\s+(?P<which>this|next|the|last|previous) month\b"
)
# A day of the month said only with its weekday ("Wednesday the 24th", "周四24号"): a day near today
_EN_WEEKDAY_DAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+(?P<the>(?:the\s+)?)"
    + _ORDINAL.format("d")
    + r"\b(?!\s+of\b)"
)
_ZH_WEEKDAY_DAY = re.compile(
    rf"(?:周|星期|礼拜)[一二三四五六日天][,，\s]*(?:的)?(?P<d>\d{{1,2}}|[{_ZH_SMALL}]{{1,3}})(?:日|号)"
)
_EN_PAST = re.compile(
    r"\byesterday\b|\blast\s+(?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:\w+|a) (?:days?|weeks?|months?) ago\b|\bthe day before yesterday\b|\bthis past\s+\w+day\b"
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A day the sentence names. `day` is None when it does not exist or is only 'in the past'."""

    start: int
    end: int
    month: int | None = None
    day_of_month: int | None = None
    year: int | None = None
    always_past: bool = False
    months_ahead: int | None = None  # "本月31日" (0), "下个月31号" (1): the month is counted from today
    weekday: int | None = None  # "这周一" (0), "本周五" (4), "this past Friday": a day of the current week
    near: bool = False  # "Wednesday the 24th": this month's, or next month's when this month's is well past

    def on(self, today: date) -> DateMention:
        """This mention with a month or a weekday counted from `today` made explicit (and its year)."""
        if self.weekday is not None:
            day = today + timedelta(days=self.weekday - today.weekday())
            return DateMention(self.start, self.end, day.month, day.day, day.year, self.always_past)
        ahead = self.months_ahead
        if self.near and self.day_of_month is not None:
            ahead = 0 if self.day_of_month >= today.day - 7 else 1
        if ahead is None:
            return self
        index = today.month - 1 + ahead
        return DateMention(
            self.start,
            self.end,
            index % 12 + 1,
            self.day_of_month,
            today.year + index // 12,
            self.always_past,
        )

    def exists(self) -> bool:
        """False for 2月30日, April 31, 13月; 29 February only in a leap year (any year if unsaid)."""
        if self.month is None or self.day_of_month is None:
            return self.day_of_month is None or 1 <= self.day_of_month <= 31
        if not 1 <= self.month <= 12 or self.day_of_month < 1:
            return False
        year = self.year if self.year is not None else 2000  # a leap year: an unsaid year may be one
        return self.day_of_month <= calendar.monthrange(year, self.month)[1]

    def resolve(self, today: date) -> date | None:
        """The day meant: an unsaid year is this year, or next year when this year's is half a
        year gone (a deadline "1月5日" said in December is next January), or last year when this
        year's is more than half a year ahead ("due December 26th" said on January 4th)."""
        if self.month is None or self.day_of_month is None or not self.exists():
            return None
        if self.year is not None:
            return safe_date(self.year, self.month, self.day_of_month)
        this_year = safe_date(today.year, self.month, self.day_of_month)
        if this_year is None:  # 29 February of a common year: the next one that exists
            return safe_date(today.year + 1, self.month, self.day_of_month)
        if this_year < today - timedelta(days=183):
            return safe_date(today.year + 1, self.month, self.day_of_month)
        if this_year > today + timedelta(days=183):
            return safe_date(today.year - 1, self.month, self.day_of_month) or this_year
        return this_year


def safe_date(year: int, month: int, day: int) -> date | None:
    """The day, or None when it does not exist (2月30日)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


_ZH_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _zh_int(token: str) -> int | None:
    """A month or day number: '12', '十二', '二十九', '三十一'."""
    if token.isdigit():
        return int(token)
    tens, ten, ones = token.partition("十")
    if not ten:
        return _ZH_DIGIT.get(token) if len(token) == 1 else None
    high = _ZH_DIGIT.get(tens, -1) if tens else 1
    low = _ZH_DIGIT.get(ones, -1) if ones else 0
    return None if high < 0 or low < 0 else high * 10 + low


def _ordinal(token: str) -> int:
    """'5th', '5', 'fifth', 'twenty-first' → the day number."""
    digits = token.rstrip("stndrh")
    return int(digits) if digits.isdigit() else ORDINAL_WORDS[token]


def mentions(text: str, lang: str) -> list[DateMention]:
    """Every calendar day and always-past relative day in `text` (normalised, lower case)."""
    found: list[DateMention] = []
    if lang == "en-US":
        for m in _EN_DATE.finditer(text):
            year: int | None
            if m.group("nm"):
                month, day, year = int(m.group("nm")), int(m.group("nd")), int(m.group("ny"))
            elif m.group("sm"):
                month, day, year = int(m.group("sm")), int(m.group("sd")), None
            elif m.group("d4"):
                ahead = {"next": 1, "last": -1, "previous": -1}.get(m.group("which"), 0)
                found.append(
                    DateMention(m.start(), m.end(), day_of_month=_ordinal(m.group("d4")), months_ahead=ahead)
                )
                continue
            else:
                name = (m.group("mon") or m.group("mon2") or m.group("mon3"))[:3]
                month = [n[:3] for n in _MONTHS].index(name) + 1
                day = _ordinal(m.group("d") or m.group("d2") or m.group("d3"))
                raw_year = m.group("y") or m.group("y2") or m.group("y3")
                year = int(raw_year) if raw_year else None
            found.append(DateMention(m.start(), m.end(), month, day, year))
        found.extend(DateMention(m.start(), m.end(), always_past=True) for m in _EN_PAST.finditer(text))
        found.extend(
            DateMention(m.start("the"), m.end(), day_of_month=_ordinal(m.group("d")), near=True)
            for m in _EN_WEEKDAY_DAY.finditer(text)
        )
        return found
    for m in _ZH_DATE.finditer(text):
        zh_month, zh_day = _zh_int(m.group("m")), _zh_int(m.group("d"))
        if zh_month is None or zh_day is None:
            continue
        zh_year = int(m.group("y")) if m.group("y") else None
        found.append(DateMention(m.start(), m.end(), zh_month, zh_day, zh_year))
    for m in _ZH_THIS_MONTH.finditer(text):
        zh_day = _zh_int(m.group("d"))
        if zh_day is not None:
            found.append(
                DateMention(
                    m.start(), m.end(), day_of_month=zh_day, months_ahead=int("下" in m.group("which"))
                )
            )
    found.extend(DateMention(m.start(), m.end(), always_past=True) for m in _ZH_PAST.finditer(text))
    for m in _ZH_WEEKDAY_DAY.finditer(text):
        zh_day = _zh_int(m.group("d"))
        if zh_day is not None:
            found.append(DateMention(m.start("d"), m.end(), day_of_month=zh_day, near=True))
    found.extend(
        DateMention(m.start(), m.end(), weekday=min(_ZH_WEEKDAYS.index(m.group("w")), 6))
        for m in _ZH_THIS_WEEK.finditer(text)
    )
    return found


def days_named(text: str, lang: str, today: date) -> list[tuple[DateMention, date]]:
    """Each calendar day `text` names, with the day it means counted from `today` (days that do
    not exist or are only "in the past" left out)."""
    named = ((d, d.on(today).resolve(today)) for d in mentions(text, lang))
    return [(d, day) for d, day in named if day is not None]


__all__ = ["DateMention", "days_named", "en_words_value", "mentions"]
