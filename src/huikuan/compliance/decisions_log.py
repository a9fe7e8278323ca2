"""The decisions log as officers read it: every `reserve` answer, filtered and paged.

Filters run on indexed columns (`at`, `rule`, `debtor_id`); a campaign is given by the caller
as a query of its debtor ids (campaigns belong to the dialer, a layer above compliance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from huikuan.compliance.models import Decision
from huikuan.compliance.packs import default_packs

PAGE_SIZE = 50
S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True, slots=True)
class DecisionFilter:
    allowed: bool | None = None
    rule: str | None = None
    debtor_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    debtors: Select[Any] | None = None  # e.g. a campaign's debtors


@dataclass(frozen=True, slots=True)
class DecisionRow:
    id: int
    at: datetime
    debtor_id: int
    contact_id: int | None
    jurisdiction: str
    channel: str
    allowed: bool
    rule: str | None
    next_allowed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DecisionPage:
    rows: list[DecisionRow]
    total: int
    page: int
    pages: int


def rule_titles() -> dict[str, tuple[str, str]]:
    """Every rule id of every pack → (Chinese title, English title)."""
    return {s.id: (s.title_zh, s.title_en) for pack in default_packs().values() for s in pack.specs}


def _where(stmt: S, f: DecisionFilter) -> S:
    if f.allowed is not None:
        stmt = stmt.where(Decision.allowed == f.allowed)
    if f.rule:
        stmt = stmt.where(Decision.rule == f.rule)
    if f.debtor_id is not None:
        stmt = stmt.where(Decision.debtor_id == f.debtor_id)
    if f.since is not None:
        stmt = stmt.where(Decision.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Decision.at < f.until)
    if f.debtors is not None:
        stmt = stmt.where(Decision.debtor_id.in_(f.debtors))
    return stmt


def decisions(session: Session, f: DecisionFilter, page: int = 1, per_page: int = PAGE_SIZE) -> DecisionPage:
    """One page of decisions matching `f`, newest first, with the number of matches."""
    total = session.scalar(_where(select(func.count(Decision.id)), f)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.scalars(
        _where(select(Decision), f)
        .order_by(Decision.at.desc(), Decision.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return DecisionPage(
        rows=[
            DecisionRow(
                id=d.id,
                at=d.at,
                debtor_id=d.debtor_id,
                contact_id=d.contact_id,
                jurisdiction=d.jurisdiction,
                channel=d.channel,
                allowed=d.allowed,
                rule=d.rule,
                next_allowed_at=d.next_allowed_at,
            )
            for d in rows
        ],
        total=total,
        page=page,
        pages=pages,
    )
