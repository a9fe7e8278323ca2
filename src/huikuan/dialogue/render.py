"""Rendering script lines: slot values formatted for speech per locale, and a masked copy.

Hand-written rather than Babel: the robot says a handful of shapes (an amount, a day, a time of
day, an installment plan) in two locales, and the exact wording is part of the approved script.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, time

from huikuan.security.masking import mask_name

DEBT_WORDS_ZH = ("欠款", "逾期", "还款", "借款", "欠钱", "催收", "债务", "应还")
# Checked on lower-cased text: words that would tell a third party a debt exists.
DEBT_WORDS_EN = (
    "debt",
    "past due",
    "overdue",
    "owe ",
    "owed",
    "collector",
    "amount due",
    "balance",
    "your loan",
)


def yuan(amount_fen: int) -> str:
    """3500.00 yuan is said '3500'; 3500.50 is said '3500.50'."""
    whole, cents = divmod(amount_fen, 100)
    return f"{whole}" if cents == 0 else f"{whole}.{cents:02d}"


def cn_date(value: date) -> str:
    return f"{value.month}月{value.day}日"


_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def money(amount_fen: int, lang: str) -> str:
    """An amount for speech: '3500' / '3500.50' in zh-CN, '3,500' / '3,500.50' in en-US.

    Templates carry the currency ('{amount}元', '${amount}'), so only the number is rendered.
    """
    if lang != "en-US":
        return yuan(amount_fen)
    whole, cents = divmod(amount_fen, 100)
    return f"{whole:,}" if cents == 0 else f"{whole:,}.{cents:02d}"


def spoken_date(value: date, lang: str) -> str:
    """'3月15日' in zh-CN, 'March 15' in en-US."""
    if lang != "en-US":
        return cn_date(value)
    return f"{_MONTHS_EN[value.month - 1]} {value.day}"


def spoken_time(value: time, lang: str) -> str:
    """'下午3点' / '上午10点30分' in zh-CN, '3 PM' / '10:30 AM' in en-US."""
    if lang != "en-US":
        part = "上午" if value.hour < 12 else ("下午" if value.hour < 18 else "晚上")
        hour = value.hour if value.hour <= 12 else value.hour - 12
        return f"{part}{hour}点" + (f"{value.minute}分" if value.minute else "")
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{hour} {suffix}" if not value.minute else f"{hour}:{value.minute:02d} {suffix}"


def plan_text(terms: int, first_fen: int, regular_fen: int, waiver_fen: int, lang: str) -> str:
    """An installment plan as one spoken phrase (the {plan} slot)."""
    if lang != "en-US":
        text = f"分{terms}期，首期{money(first_fen, lang)}元"
        text += f"，之后每月{money(regular_fen, lang)}元" if terms > 1 else ""
        return text + (f"，减免{money(waiver_fen, lang)}元" if waiver_fen else "")
    text = f"{terms} monthly payments: ${money(first_fen, lang)} first"
    text += f", then ${money(regular_fen, lang)} a month" if terms > 1 else ""
    return text + (f", with ${money(waiver_fen, lang)} waived" if waiver_fen else "")


class _Strict(string.Formatter):
    def get_value(self, key: int | str, args: object, kwargs: Mapping[str, object]) -> object:
        if isinstance(key, str) and key not in kwargs:
            raise KeyError(f"script slot {{{key}}} has no value")
        return super().get_value(key, args, kwargs)  # type: ignore[arg-type]  # Formatter's stub is narrower than its use


_FORMATTER = _Strict()


def render(template: str, slots: Mapping[str, str]) -> str:
    """Fill `{slot}` placeholders; an unknown slot is an error in the script, not silence."""
    return _FORMATTER.vformat(template, (), dict(slots))


def used_slots(template: str) -> set[str]:
    """The slot names a template uses ('{name}', '{callback_number}')."""
    return {field for _, field, _, _ in _FORMATTER.parse(template) if field}


def empty_slots(template: str, slots: Mapping[str, str]) -> list[str]:
    """The slots `template` uses whose value is empty: a line that would be said with a hole in it
    ("Please call  back at ."), which the engine refuses to say."""
    return sorted(k for k in used_slots(template) if k in slots and not str(slots[k]).strip())


def transcript_slots(slots: Mapping[str, str]) -> dict[str, str]:
    """The same slots with personal data masked, for what is stored in the transcript."""
    masked = dict(slots)
    if "name" in masked:
        masked["name"] = mask_name(masked["name"])
    return masked
