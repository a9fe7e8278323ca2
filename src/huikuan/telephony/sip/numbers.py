"""How a trunk wants the dialled number: E.164 (`+86` and the 11 digits) or national (the
11 digits; a landline with its trunk prefix `0`), per trunk, through `phonenumbers`
(libphonenumber's rules).

A number libphonenumber cannot read is sent as stored: the carrier's answer (404/484) then says
what is wrong, and the number itself never appears in an error or a log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import phonenumbers

Style = Literal["e164", "national"]


@dataclass(frozen=True, slots=True)
class NumberFormat:
    style: Style
    region: str = "CN"  # where numbers without a +country code belong

    @classmethod
    def parse(cls, text: str) -> NumberFormat:
        """`e164`, `national`, or either with a region: `national:CN`, `e164:US`."""
        style, _, region = text.strip().lower().partition(":")
        if style not in ("e164", "national"):
            raise ValueError("number format must be e164 or national (optionally :REGION, e.g. e164:CN)")
        region = (region or "CN").upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {region!r} for the number format")
        return cls("e164" if style == "e164" else "national", region)

    def format(self, number: str) -> str:
        try:
            parsed = phonenumbers.parse(number, self.region)
        except phonenumbers.NumberParseException:
            return number
        if self.style == "e164":
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())
