"""Compliance cases as JSON: what `huikuan compliance check` reads, as pure rule input.

A case describes one debtor's contact history with opaque number keys and proposes one contact;
the answer is the pack's decision. Validation is strict and says which field is wrong, because
another dialer relying on a silently misread case would break the law with our blessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huikuan.clock import is_known_zone
from huikuan.compliance.packs.common import zone
from huikuan.compliance.schemas import (
    ContactInfo,
    DebtorInfo,
    Decision,
    Flags,
    HistoryEntry,
    Proposal,
    RuleInput,
    StopKind,
)
from huikuan.errors import InvalidInput
from huikuan.types import CallOutcome, Channel, ContactStatus, Relation

CHANNELS = {"voice": Channel.VOICE, "call": Channel.VOICE, "phone": Channel.VOICE, "sms": Channel.SMS}
FLAG_STOPS = {
    "cease_requested": StopKind.CEASE,
    "complaint_open": StopKind.COMPLAINT,
    "dispute_open": StopKind.DISPUTE,
    "deceased_hold": StopKind.DECEASED,
}


class BadCase(InvalidInput):
    """A case that cannot be decided; the message names the field, never a value's content."""


@dataclass(frozen=True, slots=True)
class Case:
    id: Any
    jurisdiction: str
    rule_input: RuleInput


def parse_case(raw: Any) -> Case:
    if not isinstance(raw, Mapping):
        raise BadCase("每行须为一个 JSON 对象 / each line must be a JSON object")
    debtor = _mapping(raw, "debtor")
    zones = _zones(debtor.get("timezone"))
    proposed = _mapping(raw, "proposed")
    flags = raw.get("flags") or {}
    if not isinstance(flags, Mapping):
        raise BadCase("flags 须为对象 / flags must be an object")
    history_raw = raw.get("history") or []
    if not isinstance(history_raw, list):
        raise BadCase("history 须为数组 / history must be an array")

    numbers: dict[str, int] = {}  # opaque number → a stable contact id within the case

    def contact_id(number: str) -> int:
        return numbers.setdefault(number, len(numbers) + 1)

    history = tuple(_entry(e, i, contact_id) for i, e in enumerate(history_raw))
    p_relation = _relation(proposed.get("relation"), "proposed.relation")
    p_number = _number(proposed.get("number"), "proposed.number")
    contact = ContactInfo(
        id=contact_id(p_number),
        debtor_id=0,
        relation=p_relation,
        status=ContactStatus.UNKNOWN,
        number_key=p_number,
    )
    own = {e.number_key: e.contact_id for e in history if e.relation == Relation.SELF}
    if p_relation == Relation.SELF:
        own[p_number] = contact.id
    contacts = tuple(
        ContactInfo(id=cid, debtor_id=0, relation=Relation.SELF, status=ContactStatus.UNKNOWN, number_key=key)
        for key, cid in sorted(own.items(), key=lambda kv: kv[1])
    )
    jurisdiction = str(raw.get("jurisdiction") or "")
    if jurisdiction not in ("CN", "US"):
        raise BadCase("jurisdiction 须为 CN 或 US / jurisdiction must be CN or US")
    consent = flags.get("ai_voice_consent")
    return Case(
        id=raw.get("id"),
        jurisdiction=jurisdiction,
        rule_input=RuleInput(
            debtor=DebtorInfo(
                id=0,
                jurisdiction=jurisdiction,
                timezone=zones[0],
                contacts=contacts,
                other_timezones=zones[1:],
            ),
            history=history,
            flags=Flags(
                open_stops=tuple(kind for name, kind in FLAG_STOPS.items() if flags.get(name)),
                ai_voice_consent=None if consent is None else bool(consent),
            ),
            proposal=Proposal(
                contact=contact,
                at=_instant(proposed.get("at"), "proposed.at"),
                channel=_channel(proposed.get("channel"), "proposed.channel"),
                artificial_voice=bool(proposed.get("artificial_voice", False)),
            ),
        ),
    )


def decision_line(case_id: Any, decision: Decision, tz: str) -> dict[str, Any]:
    """The answer line: `next_allowed_at` in the debtor's (first) zone, with its offset."""
    nxt = decision.next_allowed_at
    return {
        "id": case_id,
        "allowed": decision.allowed,
        "rule": decision.rule,
        "reason": decision.reason,
        "next_allowed_at": None if nxt is None else nxt.astimezone(zone(tz)).isoformat(),
    }


def _entry(raw: Any, index: int, contact_id: Any) -> HistoryEntry:
    where = f"history[{index}]"
    if not isinstance(raw, Mapping):
        raise BadCase(f"{where} 须为对象 / {where} must be an object")
    number = _number(raw.get("number"), f"{where}.number")
    outcome_text = raw.get("outcome")
    outcome = None
    if outcome_text is not None:
        try:
            outcome = CallOutcome(str(outcome_text))
        except ValueError:
            raise BadCase(f"{where}.outcome 无效 / {where}.outcome is not a known outcome") from None
    conversation = raw.get("conversation")
    return HistoryEntry(
        contact_id=contact_id(number),
        number_key=number,
        relation=_relation(raw.get("relation"), f"{where}.relation"),
        at=_instant(raw.get("at"), f"{where}.at"),
        outcome=outcome,
        conversation=(outcome == CallOutcome.ANSWERED) if conversation is None else bool(conversation),
        refused_further_contact=bool(raw.get("refused_further_contact", False)),
        channel=_channel(raw.get("channel"), f"{where}.channel"),
    )


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise BadCase(f"缺少 {key} 对象 / {key} must be an object")
    return value


def _zones(value: Any) -> tuple[str, ...]:
    zones = [value] if isinstance(value, str) else value
    if (
        not isinstance(zones, list)
        or not zones
        or not all(isinstance(z, str) and is_known_zone(z) for z in zones)
    ):
        raise BadCase(
            "debtor.timezone 须为 IANA 时区或时区数组 / "
            "debtor.timezone must be an IANA zone or a list of zones"
        )
    return tuple(dict.fromkeys(zones))


def _relation(value: Any, where: str) -> Relation:
    try:
        return Relation(str(value))
    except ValueError:
        raise BadCase(
            f"{where} 须为 self/emergency_contact/family/employer / "
            f"{where} must be self, emergency_contact, family or employer"
        ) from None


def _number(value: Any, where: str) -> str:
    if not isinstance(value, str | int) or not str(value).strip():
        raise BadCase(f"{where} 缺失 / {where} is missing")
    return str(value).strip()


def _channel(value: Any, where: str) -> Channel:
    if value is None:
        return Channel.VOICE
    channel = CHANNELS.get(str(value).lower())
    if channel is None:
        raise BadCase(f"{where} 须为 voice 或 sms / {where} must be voice or sms")
    return channel


def _instant(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise BadCase(f"{where} 须为 ISO 8601 时间 / {where} must be an ISO 8601 date-time")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BadCase(f"{where} 不是 ISO 8601 时间 / {where} is not an ISO 8601 date-time") from None
    if at.tzinfo is None:
        raise BadCase(f"{where} 须带时区偏移 / {where} needs a UTC offset (e.g. +08:00 or Z)")
    return at
