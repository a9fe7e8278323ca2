"""The content guard: every sentence the product says or sends is checked before it leaves.

API (stable; the implementation behind it is in this package's modules):

    check(text, lang, context=Context.DEBTOR) -> Verdict(allowed, categories)
    enforce(text, lang, context, safe_line) -> Guarded(text_to_say, verdict)

`lang` is "zh-CN" or "en-US". `context` says who hears the sentence and when, because the same
words can be lawful to the debtor and unlawful to a third party (any mention of the debt), and an
opening line must carry the disclosure (CN AI label; US debt-collector disclosure).
"""

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


def check(text: str, lang: str, context: Context = Context.DEBTOR) -> Verdict:
    """Placeholder until the classifier lands: allows everything but empty text."""
    return Verdict(allowed=bool(text.strip()))


def enforce(text: str, lang: str, context: Context, safe_line: str) -> Guarded:
    """Check `text`; when blocked, say `safe_line` instead (which must itself pass)."""
    verdict = check(text, lang, context)
    if verdict.allowed:
        return Guarded(text, verdict)
    return Guarded(safe_line, verdict)


__all__ = ["Category", "Context", "Guarded", "Verdict", "check", "enforce"]
