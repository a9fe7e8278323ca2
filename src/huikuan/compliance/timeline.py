"""What compliance decided about one debtor, for the account page: every decision with its
rule's title, and the stops. Titles come from the rule pack of the debtor's jurisdiction, so a
page never shows a bare rule id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from huikuan.compliance.models import Complaint, Decision
from huikuan.compliance.packs import regulation_pack
from huikuan.errors import InvalidInput

MAX_DECISIONS = 500


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: int
    at: datetime
    contact_id: int | None
    channel: str
    allowed: bool
    rule: str | None
    title_zh: str | None
    title_en: str | None
    next_allowed_at: datetime | None


def rule_titles(jurisdiction: str) -> dict[str, tuple[str, str]]:
    """rule id → (Chinese title, English title) of the jurisdiction's pack; {} for an unknown one."""
    try:
        pack = regulation_pack(jurisdiction)
    except InvalidInput:
        return {}
    return {s.id: (s.title_zh, s.title_en) for s in pack.specs}


def debtor_decisions(session: Session, debtor_id: int, limit: int = MAX_DECISIONS) -> list[DecisionView]:
    """The debtor's latest decisions (allowed and denied), oldest first, with rule titles."""
    rows = session.scalars(
        select(Decision)
        .where(Decision.debtor_id == debtor_id)
        .order_by(Decision.at.desc(), Decision.id.desc())
        .limit(limit)
    ).all()
    titles: dict[str, dict[str, tuple[str, str]]] = {}
    out = []
    for d in reversed(rows):
        known = titles.setdefault(d.jurisdiction, rule_titles(d.jurisdiction))
        zh, en = known.get(d.rule or "", (None, None))
        out.append(
            DecisionView(d.id, d.at, d.contact_id, d.channel, d.allowed, d.rule, zh, en, d.next_allowed_at)
        )
    return out


def stopped_debtors() -> Select[Any]:
    """A sub-select of the debtors an open stop (complaint, dispute, cease, deceased) holds."""
    return select(Complaint.debtor_id).where(Complaint.status == "open")
