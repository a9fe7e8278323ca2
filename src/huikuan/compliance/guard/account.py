"""The account a sentence is checked against (`Facts`), and the reading helpers every fact rule shares.

Split from `facts.py` so that the rule modules (`facts`, `waivers`, `day_facts`) read one account
type and one notion of a clause without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from huikuan.compliance.guard.fact_words import Lexicon
from huikuan.compliance.guard.types import Category

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Facts:
    """What a sentence may state: amounts in major units (yuan, dollars), as Decimal.

    Any field may be None (unknown): a check that needs it is then skipped.
    """

    owed: Decimal | None = None
    due_date: date | None = None
    today: date | None = None
    max_terms: int | None = None
    max_waiver_pct: int | None = None
    min_first_payment: Decimal | None = None
    platform: str | None = None
    promise_amount: Decimal | None = None  # what the debtor said they would pay
    promise_date: date | None = None
    plan_terms: int | None = None  # the plan actually offered in this call
    plan_amounts: tuple[Decimal, ...] = ()  # its first, regular, waived and total amounts

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Facts:
        """Facts from plain values ({"owed": "3500.00", "due_date": "2026-02-20", "max_terms": 6,
        …}); a bad value raises ValueError naming the field."""

        def amount(key: str) -> Decimal | None:
            raw = data.get(key)
            if raw is None or raw == "":
                return None
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                raise ValueError(f"facts field {key!r} is not an amount: {raw!r}") from None
            if not value.is_finite() or value < 0:
                raise ValueError(f"facts field {key!r} must be a non-negative amount")
            return value

        def day(key: str) -> date | None:
            raw = data.get(key)
            if raw is None or raw == "":
                return None
            if isinstance(raw, date):
                return raw
            try:
                return date.fromisoformat(str(raw))
            except ValueError:
                raise ValueError(f"facts field {key!r} is not a YYYY-MM-DD date: {raw!r}") from None

        def whole(key: str) -> int | None:
            raw = data.get(key)
            if raw is None or raw == "":
                return None
            try:
                return int(raw)
            except (TypeError, ValueError):
                raise ValueError(f"facts field {key!r} is not a whole number: {raw!r}") from None

        plan = data.get("plan_amounts") or ()
        if isinstance(plan, str | bytes) or not hasattr(plan, "__iter__"):
            raise ValueError("facts field 'plan_amounts' must be a list of amounts")
        return cls(
            owed=amount("owed"),
            due_date=day("due_date"),
            today=day("today"),
            max_terms=whole("max_terms"),
            max_waiver_pct=whole("max_waiver_pct"),
            min_first_payment=amount("min_first_payment"),
            platform=str(data["platform"]) if data.get("platform") else None,
            promise_amount=amount("promise_amount"),
            promise_date=day("promise_date"),
            plan_terms=whole("plan_terms"),
            plan_amounts=tuple(Decimal(str(a)) for a in plan),
        )

    def known_amounts(self) -> tuple[Decimal, ...]:
        """Figures the robot may state as they are: what is owed, promised or offered."""
        values = (self.owed, self.promise_amount, *self.plan_amounts)
        return tuple(v for v in values if v is not None)


Hit = tuple[Category, str]


def clause_around(text: str, lex: Lexicon, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around text[start:end] (`lex.clause_break` to `lex.clause_break`)."""
    left = 0
    for m in lex.clause_break.finditer(text, 0, start):
        left = m.end()
    m2 = lex.clause_break.search(text, end)
    return left, (m2.start() if m2 else len(text))


def next_clause_end(text: str, lex: Lexicon, right: int) -> int:
    """Where the clause after the one ending at `right` ends (`right` itself at the end of text)."""
    return clause_around(text, lex, right + 1, right + 1)[1] if right < len(text) else right


def refused(text: str, lex: Lexicon, start: int, end: int) -> bool:
    left, right = clause_around(text, lex, start, end)
    return bool(lex.refused.search(text, left, right))


def close(a: Decimal, b: Decimal, approx: bool) -> bool:
    tolerance = max(abs(b) * Decimal("0.1"), Decimal(10)) if approx else CENT
    return abs(a - b) <= tolerance
