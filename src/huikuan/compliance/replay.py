"""Replaying an attempts export through the rule packs: what `huikuan compliance audit` finds.

Each attempt is decided again as if it were proposed at its start, with the debtor's earlier
attempts in the same export as history and the stops their dispositions opened as flags. What
an export cannot show is not checked and is reported as such: consent to artificial voices,
operator holiday settings, stops opened or cleared outside the export, further candidate zones.
A replay is therefore looser than `reserve` was at the time, never stricter, so every finding
is a real violation of the rules as far as the export shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from huikuan.compliance.packs.base import RulePack, without_rules
from huikuan.compliance.rules import pack_for
from huikuan.compliance.schemas import (
    ContactInfo,
    DebtorInfo,
    Flags,
    HistoryEntry,
    Proposal,
    RuleInput,
    StopKind,
)
from huikuan.types import CallOutcome, Channel, ContactStatus, Relation

NOT_IN_EXPORT = {"US.AI_VOICE", "CN.HOLIDAY", "US.HOLIDAY"}
STOP_DISPOSITIONS = {
    "cease_requested": StopKind.CEASE,
    "complaint": StopKind.COMPLAINT,
    "dispute": StopKind.DISPUTE,
    "deceased": StopKind.DECEASED,
}
REQUIRED = (
    "attempt_id",
    "debtor_id",
    "relation",
    "number_key",
    "jurisdiction",
    "debtor_timezone",
    "started_at",
)


@dataclass(frozen=True, slots=True)
class Violation:
    attempt_id: int
    debtor_id: int
    at: str
    rule: str
    reason: str


@dataclass(slots=True)
class AuditReport:
    attempts: int = 0
    debtors: int = 0
    violations: list[Violation] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)
    not_checked: tuple[str, ...] = tuple(sorted(NOT_IN_EXPORT))


@dataclass(frozen=True, slots=True)
class _Attempt:
    id: int
    at: datetime
    jurisdiction: str
    timezone: str
    relation: Relation
    number_key: str
    channel: Channel
    outcome: CallOutcome
    conversation: bool
    disposition: str


def audit(records: Iterable[tuple[int, Any]]) -> AuditReport:
    """Audit (line number, parsed JSON) records of an attempts export."""
    report = AuditReport()
    by_debtor: dict[int, list[_Attempt]] = defaultdict(list)
    for line, record in records:
        attempt = _read(record, line, report)
        if attempt is not None:
            by_debtor[int(record["debtor_id"])].append(attempt)
    report.debtors = len(by_debtor)
    packs: dict[str, RulePack] = {}
    for debtor_id, attempts in by_debtor.items():
        attempts.sort(key=lambda a: (a.at, a.id))
        _replay_debtor(debtor_id, attempts, report, packs)
    report.violations.sort(key=lambda v: (v.at, v.attempt_id))
    return report


def _replay_debtor(
    debtor_id: int, attempts: list[_Attempt], report: AuditReport, packs: dict[str, RulePack]
) -> None:
    history: list[HistoryEntry] = []
    stops: set[StopKind] = set()
    for a in attempts:
        report.attempts += 1
        pack = packs.get(a.jurisdiction)
        if pack is None:  # once per jurisdiction: a pack's rule table is built on first use
            pack = packs[a.jurisdiction] = without_rules(pack_for(a.jurisdiction), NOT_IN_EXPORT)
        contact = ContactInfo(
            id=0,
            debtor_id=debtor_id,
            relation=a.relation,
            status=ContactStatus.UNKNOWN,
            number_key=a.number_key,
        )
        inp = RuleInput(
            debtor=DebtorInfo(id=debtor_id, jurisdiction=a.jurisdiction, timezone=a.timezone),
            history=tuple(history),
            flags=Flags(open_stops=tuple(sorted(stops))),
            proposal=Proposal(contact=contact, at=a.at, channel=a.channel),
        )
        for denial in pack.evaluate(inp):
            report.violations.append(
                Violation(a.id, debtor_id, a.at.isoformat(), denial.rule or "", denial.reason)
            )
        history.append(
            HistoryEntry(
                contact_id=0,
                number_key=a.number_key,
                relation=a.relation,
                at=a.at,
                outcome=a.outcome,
                conversation=a.conversation,
                channel=a.channel,
            )
        )
        if a.disposition in STOP_DISPOSITIONS:
            stops.add(STOP_DISPOSITIONS[a.disposition])


def _read(record: Any, line: int, report: AuditReport) -> _Attempt | None:
    if not isinstance(record, Mapping) or any(k not in record for k in REQUIRED):
        report.bad_lines.append(
            f"第 {line} 行缺少字段 / line {line} lacks required keys {', '.join(REQUIRED)}"
        )
        return None
    try:
        at = datetime.fromisoformat(str(record["started_at"]))
        if at.tzinfo is None:
            raise ValueError("naive")
        return _Attempt(
            id=int(record["attempt_id"]),
            at=at,
            jurisdiction=str(record["jurisdiction"]),
            timezone=str(record["debtor_timezone"]),
            relation=Relation(str(record["relation"])),
            number_key=str(record["number_key"]),
            channel=Channel(str(record.get("channel") or "voice")),
            outcome=CallOutcome(str(record.get("outcome") or "failed")),
            conversation=bool(record.get("conversation", False)),
            disposition=str(record.get("disposition") or "none"),
        )
    except (ValueError, TypeError):
        report.bad_lines.append(f"第 {line} 行字段值无效 / line {line} has an invalid value")
        return None
