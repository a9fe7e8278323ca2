"""Compact compliance cases for tests, in the `huikuan compliance check` JSON format."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from huikuan.compliance.cases import parse_case
from huikuan.compliance.rules import pack_for
from huikuan.compliance.schemas import Decision


def local(tz: str, y: int, mo: int, d: int, h: int = 10, mi: int = 0, s: int = 0) -> str:
    return datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(tz)).isoformat()


def call(
    at: str,
    outcome: str | None = "no_answer",
    *,
    number: str = "own1",
    relation: str = "self",
    conversation: bool | None = None,
    refused: bool = False,
    channel: str = "voice",
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "at": at,
        "relation": relation,
        "number": number,
        "channel": channel,
        "outcome": outcome,
        "refused_further_contact": refused,
    }
    if conversation is not None:
        entry["conversation"] = conversation
    return entry


def case(
    jurisdiction: str,
    tz: str | list[str],
    at: str,
    history: list[dict[str, Any]] | None = None,
    *,
    number: str = "own1",
    relation: str = "self",
    channel: str = "voice",
    flags: dict[str, Any] | None = None,
    artificial_voice: bool = False,
) -> dict[str, Any]:
    return {
        "id": "t",
        "jurisdiction": jurisdiction,
        "debtor": {"timezone": tz},
        "history": history or [],
        "flags": flags or {},
        "proposed": {
            "at": at,
            "relation": relation,
            "number": number,
            "channel": channel,
            "artificial_voice": artificial_voice,
        },
    }


def decide(raw: dict[str, Any]) -> Decision:
    parsed = parse_case(raw)
    return pack_for(parsed.jurisdiction).decide(parsed.rule_input)


def denied_by(raw: dict[str, Any]) -> str | None:
    """The first rule that denies, or None when the contact is allowed."""
    decision = decide(raw)
    return None if decision.allowed else decision.rule
