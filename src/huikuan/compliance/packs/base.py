"""What every rule pack is made of: rule specs (data), rule functions (code) and the pack.

A rule's id, source text, parameters and where it is enforced are data (`cn.yaml`, `us.yaml`),
so an auditor reads them without reading Python, and an operator's settings are checked against
them: a setting may tighten a rule, never loosen it unless a compliance officer's recorded
override says so. A rule function is pure: (RuleInput, Params) → None, or a denying Decision
that names the rule and says when it could next allow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from enum import StrEnum
from functools import cached_property
from typing import Any

from huikuan.compliance.schemas import ALLOWED_REASON_EN, ALLOWED_REASON_ZH, Decision, HistoryEntry, RuleInput
from huikuan.errors import InvalidInput
from huikuan.types import CallingWindow, CallOutcome


class EnforcedBy(StrEnum):
    """Where a rule is enforced: only `reserve` rules are functions of the contact history."""

    RESERVE = "reserve"
    CONTENT_GUARD = "content_guard"
    SCRIPT_APPROVAL = "script_approval"
    DIALOGUE = "dialogue"
    DIALER = "dialer"
    RECORDS = "records"


class Tighten(StrEnum):
    """Which way a setting may move without an override (the direction that protects more)."""

    LOWER = "lower"  # caps: fewer calls
    HIGHER = "higher"  # waiting periods: longer
    LATER = "later"  # window start
    EARLIER = "earlier"  # window end
    ENABLE = "enable"  # a rule switched on stays on


class Params:
    """A rule's parameters with typed access (the YAML holds strings, numbers and booleans)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def int(self, name: str) -> int:
        return int(self._values[name])

    def time(self, name: str) -> time:
        return parse_clock(str(self._values[name]))

    def flag(self, name: str) -> bool:
        return bool(self._values[name])


def parse_clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str
    title_zh: str
    title_en: str
    source: str
    text: str
    enforced_by: EnforcedBy
    enabled: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)
    tighten: Mapping[str, Tighten] = field(default_factory=dict)
    stricter_reading: str = ""


Rule = Callable[[RuleInput, Params], Decision | None]


@dataclass(frozen=True, slots=True)
class Override:
    """A compliance officer's recorded decision to loosen a setting below the default."""

    officer_id: int
    reason: str
    at: datetime | None = None  # when the officer recorded it


@dataclass(frozen=True)
class RulePack:
    id: str
    jurisdiction: str
    title_zh: str
    title_en: str
    specs: tuple[RuleSpec, ...]
    functions: Mapping[str, Rule]
    overrides: tuple[tuple[str, str, Override], ...] = ()

    @cached_property
    def _dial_rules(self) -> tuple[tuple[str, Rule, Params], ...]:
        return tuple(
            (s.id, self.functions[s.id], Params(s.params))
            for s in self.specs
            if s.enforced_by == EnforcedBy.RESERVE and s.enabled
        )

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.specs)

    def calling_window(self) -> CallingWindow:
        """The window of the pack's time rule (`CN.TIME`, `US.TIME`), settings applied."""
        params = Params(self.spec(f"{self.jurisdiction}.TIME").params)
        return CallingWindow(params.time("start"), params.time("end"))

    def param(self, rule_id: str, name: str) -> Any:
        """One parameter of a rule (a cap, a number of days), settings applied."""
        return self.spec(rule_id).params[name]

    def spec(self, rule_id: str) -> RuleSpec:
        for s in self.specs:
            if s.id == rule_id:
                return s
        raise InvalidInput(f"规则包 {self.id} 中没有规则 {rule_id} / pack {self.id} has no rule {rule_id}")

    def evaluate(self, inp: RuleInput) -> list[Decision]:
        """Every denial, in pack order (empty when the contact is allowed)."""
        inp = without_trunk_failures(inp)
        return [d for _, rule, params in self._dial_rules if (d := rule(inp, params)) is not None]

    def decide(self, inp: RuleInput) -> Decision:
        """The first denial in pack order, or an allowance; `next_allowed_at` is combined.

        The combined next time is found by re-asking the pack at each denial's next time (the
        history fixed), so e.g. a day cap that lifts at midnight waits for 08:00 too.
        """
        denials = self.evaluate(inp)
        if not denials:
            return Decision(True, None, ALLOWED_REASON_ZH, ALLOWED_REASON_EN)
        first = denials[0]
        nxt = self._combined_next(inp, denials)
        return replace(first, next_allowed_at=nxt, denials=tuple(d.rule or "" for d in denials))

    def _combined_next(self, inp: RuleInput, denials: list[Decision]) -> datetime | None:
        current = denials
        for _ in range(16):
            times = [d.next_allowed_at for d in current]
            if any(t is None for t in times):
                return None
            at = max(t for t in times if t is not None)
            probe = replace(inp, proposal=replace(inp.proposal, at=at))
            current = self.evaluate(probe)
            if not current:
                return at
        return None

    def with_settings(
        self, settings: Mapping[str, Mapping[str, Any]], override: Override | None = None
    ) -> RulePack:
        """This pack with an operator's settings applied; loosening needs an officer's override."""
        specs = {s.id: s for s in self.specs}
        recorded: list[tuple[str, str, Override]] = []
        for rule_id, changes in settings.items():
            spec = self.spec(rule_id)
            params = dict(spec.params)
            enabled = spec.enabled
            for name, value in changes.items():
                if name == "enabled":
                    loosens = spec.enabled and not value
                    enabled = bool(value)
                elif name in params:
                    direction = spec.tighten.get(name)
                    loosens = direction is None or _loosens(direction, params[name], value)
                    params[name] = value
                else:
                    raise InvalidInput(
                        f"规则 {rule_id} 没有参数 {name} / rule {rule_id} has no setting {name!r}"
                    )
                if loosens:
                    if override is None:
                        raise LooseningRefused(rule_id, name)
                    recorded.append((rule_id, name, override))
            specs[rule_id] = replace(spec, params=params, enabled=enabled)
        return replace(
            self,
            specs=tuple(specs[s.id] for s in self.specs),
            overrides=self.overrides + tuple(recorded),
        )


def without_trunk_failures(inp: RuleInput) -> RuleInput:
    """The history as the rules count it: a call that failed on our side (a dead trunk, a
    transport error) never reached the person, so no rule counts it, neither as a dial nor as
    a failed attempt that makes a debtor unreachable. The ledger keeps the entry for audit."""

    def failed(entries: tuple[HistoryEntry, ...]) -> bool:
        return any(e.outcome == CallOutcome.TRUNK_FAILED for e in entries)

    if not failed(inp.history) and not failed(inp.number_history):
        return inp
    return replace(
        inp,
        history=tuple(e for e in inp.history if e.outcome != CallOutcome.TRUNK_FAILED),
        number_history=tuple(e for e in inp.number_history if e.outcome != CallOutcome.TRUNK_FAILED),
    )


def _loosens(direction: Tighten, old: Any, new: Any) -> bool:
    if direction in (Tighten.LATER, Tighten.EARLIER):
        old_t, new_t = parse_clock(str(old)), parse_clock(str(new))
        return new_t < old_t if direction == Tighten.LATER else new_t > old_t
    if direction == Tighten.LOWER:
        return bool(new > old)
    if direction == Tighten.HIGHER:
        return bool(new < old)
    return bool(old) and not new  # ENABLE


class LooseningRefused(InvalidInput):
    def __init__(self, rule_id: str, name: str) -> None:
        super().__init__(
            f"设置会放宽规则 {rule_id} 的 {name}，须合规专员记录例外 / "
            f"setting {name!r} would loosen {rule_id}; it needs a compliance officer's recorded override"
        )


def without_rules(pack: RulePack, rule_ids: set[str]) -> RulePack:
    """The pack with some reserve rules left out: for replays that lack the facts they need.

    Not a setting (no override can be recorded for it); only audits of exports use it, and they
    report which rules they could not check.
    """
    specs = tuple(replace(s, enabled=False) if s.id in rule_ids else s for s in pack.specs)
    return replace(pack, specs=specs)
