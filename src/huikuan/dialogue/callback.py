"""Booking a callback time inside the calling window of the debtor's jurisdiction.

The NLU gives a date; the time of day ("下午三点", "晚上8点半", "10:30", "3pm", "this evening")
is read here with a few patterns, because the NLU's entities stop at the day and a callback
needs the hour. Whatever is heard, the booked instant is clamped into the calling window the
caller passes in: the rule pack's, with the operator's settings (`compliance.calling_window`;
by law [08:00, 22:00) in CN, [08:00, 21:00) in the US), and a time already past moves to a later
slot, so a booked callback is never an unlawful call. This module keeps no window of its own.

A callback asked for by week or month ("下个月再说", "next week") has no day the NLU can give,
yet must not be booked for today: `vague_day` reads it as the first day of that period, the
Monday of next week or the 1st of next month (the same day '下个月初' resolves to), and the
booking then takes that day's hour as for any day without one. The first day, not a later one:
the debtor asked to be called in that period, and the earliest lawful day of it keeps the
promise while leaving the rest of the period for retries.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from huikuan.dialogue.nlu import numerals
from huikuan.dialogue.nlu.dates import first_of_next_month, monday_of_next_week
from huikuan.types import CallingWindow

LAST_SLOT = timedelta(minutes=30)  # a callback is booked at least this long before the window ends
DEFAULT_TIME = time(10)  # a day without an hour is booked mid-morning
MIN_LEAD = timedelta(minutes=30)  # "now" is not a callback

_ZH_TIME = re.compile(
    rf"(?P<part>早上|上午|中午|下午|傍晚|晚上|今晚|明早|明晚)?(?P<h>[{numerals.ZH_SMALL}]{{1,3}})"
    rf"(?:{numerals.CLOCK_MARK})(?P<m>{numerals.CLOCK_MINUTE})?"
)
_ZH_PARTS = {
    "早上": 9,
    "上午": 10,
    "明早": 9,
    "中午": 12,
    "下午": 15,
    "傍晚": 18,
    "晚上": 19,
    "今晚": 19,
    "明晚": 19,
}
_EN_TIME = re.compile(
    r"\b(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?|o'?clock)?\b", re.IGNORECASE
)
_EN_PARTS = {"morning": 10, "noon": 12, "afternoon": 15, "evening": 18, "tonight": 19, "night": 19}


_ZH_NEXT_MONTH = re.compile(r"下[个個]?月(?![0-9一二三四五六七八九十两兩]{1,3}[号日號]|[底末初])")
_ZH_NEXT_WEEK = re.compile(r"下[个個]?(?:周|週|星期|礼拜|禮拜)(?![一二三四五六日天末])")
_EN_NEXT_MONTH = re.compile(r"\bnext\s+month\b")
_EN_NEXT_WEEK = re.compile(r"\bnext\s+week\b")


def vague_day(text: str, lang: str, today: date) -> date | None:
    """The day a week- or month-level request means ('下个月' → the 1st of next month, 'next week'
    → next Monday), or None when neither is said; call it only when the NLU found no date."""
    lowered = text.lower()
    month, week = (_EN_NEXT_MONTH, _EN_NEXT_WEEK) if lang == "en-US" else (_ZH_NEXT_MONTH, _ZH_NEXT_WEEK)
    if month.search(lowered):
        return first_of_next_month(today)
    if week.search(lowered):
        return monday_of_next_week(today)
    return None


def parse_time_of_day(text: str, lang: str) -> time | None:
    """The time of day mentioned in `text`, or None; '3点' in the afternoon words reads as 15:00."""
    if lang == "en-US":
        return _parse_en(text)
    m = _ZH_TIME.search(text)
    if m is None:
        for word, hour in _ZH_PARTS.items():
            if word in text:
                return time(hour)
        return None
    heard = numerals.clock_zh(m.group("h"), m.group("m"))
    if heard is None:
        return None
    hour, minute = heard
    part = m.group("part")
    if part in ("下午", "傍晚", "晚上", "今晚", "明晚") and hour < 12:
        hour += 12
    elif part is None and 1 <= hour <= 7:
        hour += 12  # "3点" said about a call means the afternoon: nobody books 3 a.m.
    return time(hour % 24, minute)


def _parse_en(text: str) -> time | None:
    lowered = text.lower()
    for m in _EN_TIME.finditer(lowered):
        ampm = (m.group("ampm") or "").replace(".", "")
        if not ampm and m.group("m") is None and "at " + m.group("h") not in lowered:
            continue  # a bare number is an amount or a day, not an hour
        hour, minute = int(m.group("h")), int(m.group("m") or 0)
        if hour > 23 or minute > 59:
            continue
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        elif ampm not in ("am", "pm") and 1 <= hour <= 7:
            hour += 12
        return time(hour, minute)
    for word, hour in _EN_PARTS.items():
        if word in lowered:
            return time(hour)
    return None


def book(
    day: date | None,
    at: time | None,
    *,
    today: date,
    window: CallingWindow,
    zone: str,
    now: datetime | None = None,
) -> datetime:
    """The callback instant (aware, in the debtor's zone) for what was heard, inside the window.

    A time outside `window` moves to its nearest edge that day (before the start → the start,
    at or after the end → the last slot, half an hour before the end). When `now` is known, a named
    hour already past means that hour the next day ("上午9点" said at 10:00); with no hour named
    the callback is half an hour from now if the window allows, else the next morning.
    """
    tz = ZoneInfo(zone)
    if day is None or day < today:
        day = today
    wanted = datetime.combine(day, at or DEFAULT_TIME, tzinfo=tz)
    candidate = _clamp(wanted, window)
    if now is None:
        return candidate
    earliest = (now.astimezone(tz) + MIN_LEAD).replace(second=0, microsecond=0) + timedelta(minutes=1)
    if candidate >= earliest:
        return candidate
    if at is None:  # no hour named: later today if the window still allows
        candidate = _clamp(max(earliest, wanted), window)
        if candidate >= earliest:
            return candidate
    next_day = earliest.date() + timedelta(days=1)
    return _clamp(datetime.combine(next_day, at or window.start, tzinfo=tz), window)


def _clamp(wanted: datetime, window: CallingWindow) -> datetime:
    tz = wanted.tzinfo
    start = datetime.combine(wanted.date(), window.start, tzinfo=tz)
    last = datetime.combine(wanted.date(), window.end, tzinfo=tz) - LAST_SLOT
    return min(max(wanted, start), last).replace(second=0, microsecond=0)


def in_window(at: datetime, window: CallingWindow) -> bool:
    """True when `at` (aware, in the debtor's zone) lies inside `window`."""
    return window.contains(at.time())
