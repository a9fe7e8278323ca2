"""The hidden truths of the simulation: who each synthetic debtor is and what each line does.

Production code never reads these; only the simulated carrier and simulated debtors do.
"""

from __future__ import annotations

from enum import StrEnum


class Persona(StrEnum):
    FORGETFUL = "forgetful"  # simply forgot; pays or promises when reminded
    HARDSHIP = "hardship"  # wants to pay, cannot in full; asks for installments
    UNWILLING = "unwilling"  # refuses, evasive
    DISPUTING = "disputing"  # says the debt is wrong or already paid
    ABUSIVE = "abusive"  # shouts, insults, hangs up
    THIRD_PARTY_ANSWERS = "third_party_answers"  # someone else picks up the debtor's number
    UNREACHABLE = "unreachable"  # numbers dead, off or never answered


class LineTruth(StrEnum):
    """What a phone number really is, whatever the portfolio believes."""

    ACTIVE = "active"
    INVALID = "invalid"  # 空号 / out of service
    POWERED_OFF = "powered_off"  # 关机
    NEVER_ANSWERS = "never_answers"
