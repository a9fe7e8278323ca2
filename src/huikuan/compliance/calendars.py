"""Public holidays available to rules: chinese-calendar for China, `holidays` for the US.

chinese-calendar knows the State Council's yearly schedule, including days moved by 调休, but
only for the years it was released for; outside them the `holidays` package's China calendar
(statutory days, without the moved ones) answers, so no year raises.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar
import holidays


def is_cn_public_holiday(day: date) -> bool:
    """A statutory holiday in mainland China (weekends alone are not public holidays)."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return day in _country("CN", day.year)
    return bool(on_holiday and name is not None)


def is_us_public_holiday(day: date) -> bool:
    """A US federal holiday (observed dates included)."""
    return day in _country("US", day.year)


@lru_cache(maxsize=64)
def _country(code: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(code, years=year)
