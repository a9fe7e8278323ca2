"""Waivers a sentence offers, and the rule that holds them to the policy's most.

Split from `facts.py`: a waiver may be said as a percentage, tenths paid (打九折) or waived (免两成), a
share ("a third"), a half, everything, or what a payment leaves ("pay twelve thousand, we'll forgive
the rest"); `offered` reads each as the share of the balance forgiven, and `check` blocks any over
`max_waiver_pct` (any at all when the policy allows none): WAIVER_OUTSIDE_POLICY.
"""

from __future__ import annotations

import re
from decimal import Decimal

from huikuan.compliance.guard import numbers
from huikuan.compliance.guard.account import CENT, Facts, Hit, clause_around, refused
from huikuan.compliance.guard.fact_words import Lexicon
from huikuan.compliance.guard.types import Category

_RATE = re.compile(r"\s?(?:interest|apr|annual|利息|利率|年化)")


Offer = tuple[Decimal | None, int, int]  # the share of the balance waived (None when unsaid), its clause


def offered(text: str, lang: str, lex: Lexicon, facts: Facts) -> list[Offer]:
    """Waivers the sentence offers: (percent waived or None when unsaid, start, end)."""
    offers: list[Offer] = []
    for w in lex.waiver.finditer(text):
        if refused(text, lex, w.start(), w.end()):
            continue
        left, right = clause_around(text, lex, w.start(), w.end())
        if lex.refused_next.search(text[right + 1 : right + 24]):
            continue  # "您说的结清打折，我们这边做不了": refused in the clause right after
        clause = text[left:right]
        pct: Decimal | None = None
        for p in numbers.percents(text, lang):
            if left <= p.start < right and not _RATE.match(text, p.end):  # "0% interest" is a rate
                pct = p.value
        tenths = lex.discount_tenths.search(clause)
        if pct is None and tenths:
            paid = _tenths(tenths.group("n"))
            if paid is not None:
                pct = Decimal(100) - paid * 10
        waived = lex.waiver_tenths.search(clause)
        if pct is None and waived:
            n = _tenths(waived.group("n"))
            pct = n * 10 if n is not None else None
        share = lex.fraction.search(clause)
        if pct is None and share is not None:
            pct = _share(share)
        if pct is None and lex.half.search(clause):
            pct = Decimal(50)
        if pct is None and lex.waiver_all.search(clause):
            pct = Decimal(100)
        if pct is None and _THE_REST.search(clause):
            pct = _rest_forgiven(text, lang, w.start(), facts)
        if pct is None and lex.application.search(clause):
            continue  # a request people review, with no figure: not an offer
        offers.append((pct, left, right))
    return offers


# "pay twelve thousand today, we'll forgive the other twelve": the waiver is what the payment leaves
_THE_REST = re.compile(r"\bthe other\b|\bthe rest\b|\bthe remaining\b|\bremainder\b|剩下|其余|剩余|余下")


def _rest_forgiven(text: str, lang: str, waiver_at: int, facts: Facts) -> Decimal | None:
    """The share forgiven when the rest after a payment said before the waiver is forgiven."""
    owed = facts.owed
    if owed is None or owed <= 0:
        return None
    paid = [m.value for m in numbers.money(text, lang) if m.end <= waiver_at and 0 < m.value < owed]
    return (owed - paid[-1]) * 100 / owed if paid else None


_SHARE_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "half": 2,
    "third": 3,
    "quarter": 4,
    "fifth": 5,
    "tenth": 10,
}


def _share(m: re.Match[str]) -> Decimal | None:
    """Percent waived by "a third of", "two thirds off", "三分之一", "sixty cents on the dollar"."""
    if m.groupdict().get("cents"):
        cents = m.group("cents")
        paid = int(cents) if cents.isdigit() else numbers.en_words_value(cents)
        return None if paid is None or paid >= 100 else Decimal(100 - paid)
    n, d = m.group("n"), m.group("d")
    num = _SHARE_WORDS.get(n) if n in _SHARE_WORDS else _tenths(n)
    den = _SHARE_WORDS.get(d) if d in _SHARE_WORDS else (int(d) if d.isdigit() else None)
    if den is None and d not in _SHARE_WORDS:
        den_value = _tenths(d) if d != "十" else Decimal(10)
        den = int(den_value) if den_value else None
    if not num or not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(CENT)


def _tenths(token: str) -> Decimal | None:
    if token[0].isdigit():
        return Decimal(token)
    digits = "一二三四五六七八九"
    if token == "两":  # noqa: S105 - a numeral, not a password
        return Decimal(2)
    if len(token) == 1 and token in digits:
        return Decimal(digits.index(token) + 1)
    if len(token) == 2 and all(c in digits for c in token):  # 八五折 = 8.5 tenths
        return Decimal(digits.index(token[0]) + 1) + Decimal(digits.index(token[1]) + 1) / 10
    return None


def check(offers: list[Offer], facts: Facts) -> list[Hit]:
    """The waivers `offered` found, held to the policy's most."""
    if facts.max_waiver_pct is None:
        return []
    limit = Decimal(facts.max_waiver_pct)
    for pct, _, _ in offers:
        if pct is None and limit == 0:
            return [(Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.none_allowed")]
        if pct is not None and pct > limit:
            return [(Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.over_limit")]
    return []
