"""The guard's public value types (re-exported by `huikuan.compliance.guard`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    THREAT = "threat"
    INSULT = "insult"
    FALSE_LEGAL_CLAIM = "false_legal_claim"
    IMPERSONATION = "impersonation"
    THIRD_PARTY_DISCLOSURE = "third_party_disclosure"
    EXPOSURE_THREAT = "exposure_threat"
    DECEPTIVE_AMOUNT = "deceptive_amount"
    PRESSURE_TO_BORROW = "pressure_to_borrow"
    MISSING_DISCLOSURE = "missing_disclosure"
    HUMAN_CLAIM = "human_claim"  # the robot says or implies it is a person
    VEILED_THREAT = "veiled_threat"  # a hint at exposure: work, neighbours, family, reputation
    # Fact checks (`facts`): the sentence contradicts the account or the strategy's plan bounds.
    WRONG_AMOUNT = "wrong_amount"
    OFFER_OUTSIDE_BOUNDS = "offer_outside_bounds"
    WAIVER_OUTSIDE_POLICY = "waiver_outside_policy"
    IMPOSSIBLE_DATE = "impossible_date"  # a day that does not exist, or a deadline already past
    # An LLM answer states a number none of the facts it was given state (`figures`): figures are
    # the script's to say, so this is a rule of the engine's LLM path, not of `check`.
    UNEXPLAINED_FIGURE = "unexplained_figure"
    # An LLM answer names someone or something of the debtor's other than the debtor (`others`):
    # family, employer, neighbours, a hometown, a reputation. Also a rule of the LLM path only.
    NAMES_OTHERS = "names_others"
    # An LLM answer speaks of payment terms (a plan, a waiver, a deferral, a deadline: `terms`),
    # which only the script's plan node states. Also a rule of the LLM path only.
    UNSCRIPTED_TERMS = "unscripted_terms"


class Context(StrEnum):
    DEBTOR = "debtor"  # identity confirmed: the debt may be discussed
    OPENING = "opening"  # the first sentence of a call: must carry the disclosure
    THIRD_PARTY = "third_party"  # anyone but the debtor: nothing about the debt at all
    VOICEMAIL = "voicemail"  # US limited-content message (§1006.2(j))
    SMS = "sms"


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True, slots=True)
class Guarded:
    """What is actually said: the sentence, or the safe line when the sentence was blocked."""

    text: str
    verdict: Verdict

    @property
    def replaced(self) -> bool:
        return not self.verdict.allowed
