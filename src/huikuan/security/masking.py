"""Masking of personal data for screens and roles that do not need the full value."""

from __future__ import annotations


def mask_phone(number: str) -> str:
    """Keep the prefix and last 4 digits (the digits '+86' 'abc' 'defg' 'hijk' -> '+86abc****hijk').

    Short numbers keep only their last two digits.
    """
    if len(number) <= 6:
        return "*" * (len(number) - 2) + number[-2:]
    return number[:-8] + "****" + number[-4:] if len(number) > 8 else "****" + number[-4:]


def mask_name(name: str) -> str:
    """'张三丰' -> '张**'; 'John Smith' -> 'J*** S****'."""
    if not name:
        return name
    if name.isascii():
        return " ".join(part[:1] + "*" * (len(part) - 1) for part in name.split())
    return name[0] + "*" * (len(name) - 1)


def mask_national_id(value: str) -> str:
    """Keep the first 3 and last 2 characters of an ID number."""
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]
