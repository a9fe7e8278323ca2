"""The SQL behind the KPI report: the attempts of a period, their promises and complaints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.compliance.models import Complaint
from huikuan.outcomes.models import CallAttempt, Promise


@dataclass(frozen=True, slots=True)
class AttemptFact:
    id: int
    account_id: int
    campaign_id: int | None
    started_at: datetime
    robot_id: str | None
    agent_id: str | None
    script_version_id: int | None
    answered: bool
    conversation: bool
    transfer_requested: bool
    talk_seconds: int


def attempts(session: Session, since: datetime, until: datetime) -> list[AttemptFact]:
    """The attempts started in [since, until), oldest first."""
    stmt = (
        select(
            CallAttempt.id,
            CallAttempt.account_id,
            CallAttempt.campaign_id,
            CallAttempt.started_at,
            CallAttempt.robot_id,
            CallAttempt.agent_id,
            CallAttempt.script_version_id,
            CallAttempt.outcome,
            CallAttempt.conversation,
            CallAttempt.transfer_requested,
            CallAttempt.talk_seconds,
        )
        .where(CallAttempt.started_at >= since, CallAttempt.started_at < until)
        .order_by(CallAttempt.started_at, CallAttempt.id)
    )
    return [
        AttemptFact(
            int(r[0]),
            int(r[1]),
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7] == "answered",
            bool(r[8]),
            bool(r[9]),
            int(r[10] or 0),
        )
        for r in session.execute(stmt)
    ]


def promise_counts(session: Session, since: datetime, until: datetime) -> dict[int, tuple[int, int, int]]:
    """attempt id → (promises, kept, settled) for the promises made on attempts of the period."""
    stmt = (
        select(Promise.attempt_id, Promise.status, func.count(Promise.id))
        .join(CallAttempt, CallAttempt.id == Promise.attempt_id)
        .where(CallAttempt.started_at >= since, CallAttempt.started_at < until)
        .group_by(Promise.attempt_id, Promise.status)
    )
    found: dict[int, tuple[int, int, int]] = {}
    for attempt_id, status, n in session.execute(stmt):
        if attempt_id is None:
            continue
        made, kept, settled = found.get(int(attempt_id), (0, 0, 0))
        n = int(n)
        found[int(attempt_id)] = (
            made + n,
            kept + (n if status == "kept" else 0),
            settled + (n if status in ("kept", "broken") else 0),
        )
    return found


def complaint_counts(session: Session, since: datetime, until: datetime) -> dict[int, int]:
    """attempt id → complaints (kind "complaint") opened in [since, until) on attempts of the period."""
    stmt = (
        select(Complaint.attempt_id, func.count(Complaint.id))
        .join(CallAttempt, CallAttempt.id == Complaint.attempt_id)
        .where(
            Complaint.kind == "complaint",
            Complaint.opened_at >= since,
            Complaint.opened_at < until,
            CallAttempt.started_at >= since,
            CallAttempt.started_at < until,
        )
        .group_by(Complaint.attempt_id)
    )
    return {int(a): int(n) for a, n in session.execute(stmt) if a is not None}
