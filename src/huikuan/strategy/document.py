"""The collection strategy as a document an operator edits (YAML), validated whole.

What it decides, per account: escalation to a person (after N broken promises, or once a case
has been worked D days: the human checkpoint), else the first rule matching bucket × segment
gives the treatment, and the treatment gives the script and the installment bounds the robot may
offer. `strategy/data/default.yaml` is the shipped one; stored versions and their approval live
in `strategy/versions.py`. Pydantic does the validation; the checks of our own are the ones no
schema can say (the last rule catches everything, every treatment used is defined).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from huikuan.errors import InvalidInput
from huikuan.strategy.plans import PlanBounds

DEFAULT_PATH = Path(__file__).parent / "data" / "default.yaml"
TreatmentName = Literal[
    "friendly_reminder", "hardship_installment", "unwilling_notice", "dispute_intake", "human_handoff"
]
MAX_TEXT = 64 * 1024
HUMAN = "human_handoff"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanDoc(_Strict):
    max_terms: int = Field(ge=1, le=36)
    max_waiver_pct: int = Field(ge=0, le=100)
    min_first_payment: str  # yuan/dollars as text ("100.00"): exact, no float

    @field_validator("min_first_payment")
    @classmethod
    def _amount(cls, value: str) -> str:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError("min_first_payment must be an amount such as 100.00") from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError("min_first_payment must be ≥ 0 with at most two decimals")
        return value

    def bounds(self) -> PlanBounds:
        return PlanBounds(
            max_terms=self.max_terms,
            max_waiver_pct=self.max_waiver_pct,
            min_first_payment=int(Decimal(self.min_first_payment) * 100),
        )


class TreatmentDoc(_Strict):
    script: Literal["reminder", "hardship", "unwilling", "dispute", "handoff"]  # the shipped scripts
    plan: PlanDoc


class RuleDoc(_Strict):
    segment: Literal["*", "forgetful", "hardship", "unwilling", "disputing", "abusive", "unreachable"]
    buckets: Literal["*"] | list[Literal["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"]]
    treatment: TreatmentName

    def matches(self, bucket: str, segment: str | None) -> bool:
        bucket_ok = self.buckets == "*" or bucket in self.buckets
        return bucket_ok and (self.segment == "*" or self.segment == segment)


class EscalationDoc(_Strict):
    human_after_broken_promises: int = Field(default=0, ge=0, le=20)
    human_after_days: int = Field(default=0, ge=0, le=365)


class StrategyDoc(_Strict):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    escalation: EscalationDoc = EscalationDoc()
    rules: list[RuleDoc] = Field(min_length=1, max_length=200)
    treatments: dict[TreatmentName, TreatmentDoc]

    @model_validator(mode="after")
    def _whole(self) -> StrategyDoc:
        last = self.rules[-1]
        if last.segment != "*" or last.buckets != "*":
            raise ValueError("the last rule must catch every account: segment '*' and buckets '*'")
        used = {rule.treatment for rule in self.rules} | ({HUMAN} if self._escalates() else set())
        undefined = sorted(used - set(self.treatments))
        if undefined:
            raise ValueError(f"treatments used but not defined: {', '.join(undefined)}")
        return self

    def _escalates(self) -> bool:
        return bool(self.escalation.human_after_broken_promises or self.escalation.human_after_days)


@dataclass(frozen=True, slots=True)
class Case:
    """What the strategy reads of one account."""

    bucket: str
    segment: str | None  # None: unknown or new (profiling.ProfileRead.strategy_segment)
    promises_broken: int = 0
    days_worked: int = 0  # days since the robot first called about it


@dataclass(frozen=True, slots=True)
class Decision:
    treatment: str
    reason: str  # which escalation or rule decided, for the audit and the screen pop


@dataclass(frozen=True, slots=True)
class Strategy:
    """A validated strategy: `decide` for a case; `script` and `bounds` per treatment."""

    doc: StrategyDoc

    @property
    def name(self) -> str:
        return self.doc.name

    def decide(self, case: Case) -> Decision:
        esc = self.doc.escalation
        if esc.human_after_broken_promises and case.promises_broken >= esc.human_after_broken_promises:
            return Decision(HUMAN, f"escalation: {case.promises_broken} broken promises")
        if esc.human_after_days and case.days_worked >= esc.human_after_days:
            return Decision(HUMAN, f"escalation: human checkpoint at day {esc.human_after_days}")
        for number, rule in enumerate(self.doc.rules, start=1):
            if rule.matches(case.bucket, case.segment):
                return Decision(rule.treatment, f"rule {number}")
        raise AssertionError("unreachable: the last rule matches every case")

    def script(self, treatment: str) -> str:
        return self.doc.treatments[treatment].script  # type: ignore[index]

    def bounds(self, treatment: str) -> PlanBounds:
        return self.doc.treatments[treatment].plan.bounds()  # type: ignore[index]


def parse_strategy(text: str) -> Strategy:
    """A strategy from YAML text; InvalidInput names every problem with its place (no content)."""
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"策略文件过大 / strategy file too large (at most {MAX_TEXT} characters)")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"策略文件不是有效的 YAML / strategy is not valid YAML{where}") from None
    try:
        return Strategy(StrategyDoc.model_validate(raw))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'document'}: {e['msg']}" for e in exc.errors()[:10]
        )
        raise InvalidInput(f"策略无效 / invalid strategy: {problems}") from None


@cache
def shipped_strategy() -> Strategy:
    """The strategy that ships with Huikuan (used until one is approved in the database)."""
    return parse_strategy(DEFAULT_PATH.read_text(encoding="utf-8"))
