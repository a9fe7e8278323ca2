"""Rendering script lines: slot values formatted for speech, and a masked copy for transcripts."""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date

from huikuan.security.masking import mask_name

DEBT_WORDS_ZH = ("欠款", "逾期", "还款", "借款", "欠钱", "催收", "债务", "应还")


def yuan(amount_fen: int) -> str:
    """3500.00 yuan is said '3500'; 3500.50 is said '3500.50'."""
    whole, cents = divmod(amount_fen, 100)
    return f"{whole}" if cents == 0 else f"{whole}.{cents:02d}"


def cn_date(value: date) -> str:
    return f"{value.month}月{value.day}日"


class _Strict(string.Formatter):
    def get_value(self, key: int | str, args: object, kwargs: Mapping[str, object]) -> object:
        if isinstance(key, str) and key not in kwargs:
            raise KeyError(f"script slot {{{key}}} has no value")
        return super().get_value(key, args, kwargs)  # type: ignore[arg-type]  # Formatter's stub is narrower than its use


_FORMATTER = _Strict()


def render(template: str, slots: Mapping[str, str]) -> str:
    """Fill `{slot}` placeholders; an unknown slot is an error in the script, not silence."""
    return _FORMATTER.vformat(template, (), dict(slots))


def transcript_slots(slots: Mapping[str, str]) -> dict[str, str]:
    """The same slots with personal data masked, for what is stored in the transcript."""
    masked = dict(slots)
    if "name" in masked:
        masked["name"] = mask_name(masked["name"])
    return masked
