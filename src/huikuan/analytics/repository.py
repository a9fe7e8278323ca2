"""All SQL behind the KPIs: aggregate queries, never row-by-row loops."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from huikuan.analytics.schemas import AttemptRow
from huikuan.compliance.models import Decision
from huikuan.outcomes.models import CallAttempt, Promise


def attempt_counts(session: Session, campaign_id: int | None) -> tuple[int, int, int, int, int]:
    """(attempts, connects, right-party contacts, transfers requested, abusive hang-ups)."""
    stmt = select(
        func.count(CallAttempt.id),
        func.coalesce(func.sum(case((CallAttempt.outcome == "answered", 1), else_=0)), 0),
        func.coalesce(func.sum(case((CallAttempt.conversation.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((CallAttempt.transfer_requested.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((CallAttempt.disposition == "abusive_hangup", 1), else_=0)), 0),
    )
    if campaign_id is not None:
        stmt = stmt.where(CallAttempt.campaign_id == campaign_id)
    attempts, connects, rpc, transfers, abusive = session.execute(stmt).one()
    return int(attempts), int(connects), int(rpc), int(transfers), int(abusive)


def promise_totals(session: Session, campaign_id: int | None) -> tuple[int, int]:
    stmt = select(func.count(Promise.id), func.coalesce(func.sum(Promise.amount), 0))
    if campaign_id is not None:
        stmt = stmt.join(CallAttempt, CallAttempt.id == Promise.attempt_id).where(
            CallAttempt.campaign_id == campaign_id
        )
    count, amount = session.execute(stmt).one()
    return int(count), int(amount)


def dispositions(session: Session, campaign_id: int | None) -> dict[str, int]:
    stmt = select(CallAttempt.disposition, func.count(CallAttempt.id)).group_by(CallAttempt.disposition)
    if campaign_id is not None:
        stmt = stmt.where(CallAttempt.campaign_id == campaign_id)
    return {str(d): int(n) for d, n in session.execute(stmt)}


def denials_by_rule(session: Session) -> dict[str, int]:
    # `NOT allowed`, as the partial index ix_compliance_decision_denied_rule is written, so both
    # databases count from that index alone.
    stmt = (
        select(Decision.rule, func.count())
        .where(~Decision.allowed)
        .group_by(Decision.rule)
        .order_by(Decision.rule)
    )
    return {str(rule): int(n) for rule, n in session.execute(stmt)}


# -- the report of a period ------------------------------------------------------------------------

ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-/]*$")


def local_day(column: Any, zone: str, dialect: str, at: datetime) -> ColumnElement[Any]:
    """The day of `column` (a UTC instant) in `zone`, computed by the database.

    PostgreSQL converts with the zone's rules; SQLite has no zone database, so it shifts by the
    zone's offset at `at` (exact for zones without daylight saving, such as China's)."""
    if not ZONE_NAME.match(zone):  # the floor's configured zone, inlined: never a visitor's text
        raise ValueError("not a time zone name")
    if dialect == "postgresql":
        return func.date(func.timezone(literal_column(f"'{zone}'"), column))
    offset = at.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, literal_column(f"'{minutes:+d} minutes'"))


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _attempt_filter(since: datetime, until: datetime, campaign_id: int | None) -> list[ColumnElement[bool]]:
    where = [CallAttempt.started_at >= since, CallAttempt.started_at < until]
    if campaign_id is not None:
        where.append(CallAttempt.campaign_id == campaign_id)
    return where


_ATTEMPT_SUMS = (
    func.count(CallAttempt.id),
    func.coalesce(func.sum(case((CallAttempt.outcome == "answered", 1), else_=0)), 0),
    func.coalesce(func.sum(case((CallAttempt.conversation.is_(True), 1), else_=0)), 0),
)
_PROMISE_SUMS = (
    func.count(Promise.id),
    func.coalesce(func.sum(Promise.amount), 0),
    func.coalesce(func.sum(case((Promise.status == "kept", 1), else_=0)), 0),
    func.coalesce(func.sum(case((Promise.status == "kept", Promise.amount), else_=0)), 0),
)


def attempts_by(
    session: Session, key: str, since: datetime, until: datetime, campaign_id: int | None, zone: str
) -> dict[Any, tuple[int, int, int]]:
    """(attempts, connects, right-party contacts) grouped by local "day" or by "campaign"."""
    group = (
        local_day(CallAttempt.started_at, zone, session.get_bind().dialect.name, since)
        if key == "day"
        else CallAttempt.campaign_id
    )
    stmt = select(group, *_ATTEMPT_SUMS).where(*_attempt_filter(since, until, campaign_id)).group_by(group)
    found: dict[Any, tuple[int, int, int]] = {}
    for k, attempts, connects, rpc in session.execute(stmt):
        found[_as_date(k) if key == "day" else k] = (int(attempts), int(connects), int(rpc))
    return found


def promises_by(
    session: Session, key: str, since: datetime, until: datetime, campaign_id: int | None, zone: str
) -> dict[Any, tuple[int, int, int, int]]:
    """(promises, amount, kept, amount kept) of promises made in the period, by "day" or "campaign"."""
    group = (
        local_day(Promise.created_at, zone, session.get_bind().dialect.name, since)
        if key == "day"
        else CallAttempt.campaign_id
    )
    stmt = (
        select(group, *_PROMISE_SUMS)
        .select_from(Promise)
        .outerjoin(CallAttempt, CallAttempt.id == Promise.attempt_id)
        .where(Promise.created_at >= since, Promise.created_at < until)
        .group_by(group)
    )
    if campaign_id is not None:
        stmt = stmt.where(CallAttempt.campaign_id == campaign_id)
    found: dict[Any, tuple[int, int, int, int]] = {}
    for k, n, amount, kept, amount_kept in session.execute(stmt):
        found[_as_date(k) if key == "day" else k] = (int(n), int(amount), int(kept), int(amount_kept))
    return found


def robot_dispositions(
    session: Session, since: datetime, until: datetime, campaign_id: int | None
) -> dict[str, int]:
    """Dispositions of the answered calls the robot closed itself (no transfer asked for)."""
    stmt = (
        select(CallAttempt.disposition, func.count(CallAttempt.id))
        .where(
            *_attempt_filter(since, until, campaign_id),
            CallAttempt.outcome == "answered",
            CallAttempt.transfer_requested.is_(False),
        )
        .group_by(CallAttempt.disposition)
    )
    return {str(d): int(n) for d, n in session.execute(stmt)}


def transfers_requested(session: Session, since: datetime, until: datetime, campaign_id: int | None) -> int:
    stmt = select(func.count(CallAttempt.id)).where(
        *_attempt_filter(since, until, campaign_id), CallAttempt.transfer_requested.is_(True)
    )
    return int(session.scalar(stmt) or 0)


def attempt_rows(
    session: Session, since: datetime, until: datetime, campaign_id: int | None
) -> Iterator[AttemptRow]:
    """The attempts of the period, oldest first, ids and codes only."""
    stmt = (
        select(CallAttempt)
        .where(*_attempt_filter(since, until, campaign_id))
        .order_by(CallAttempt.started_at, CallAttempt.id)
        .execution_options(yield_per=2000)
    )
    for a in session.scalars(stmt):
        yield AttemptRow(
            attempt_id=a.id,
            campaign_id=a.campaign_id,
            account_id=a.account_id,
            debtor_id=a.debtor_id,
            contact_id=a.contact_id,
            started_at=a.started_at,
            channel=a.channel,
            outcome=a.outcome,
            conversation=bool(a.conversation),
            talk_seconds=a.talk_seconds,
            disposition=a.disposition,
            transfer_requested=bool(a.transfer_requested),
            robot_id=a.robot_id,
            agent_id=a.agent_id,
        )
