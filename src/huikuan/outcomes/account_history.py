"""One account's contact history as the console's account page reads it: every attempt with
its transcript, and the promises and installment plans taken on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from huikuan.outcomes.models import CallAttempt, InstallmentPlan, Promise

MAX_ATTEMPTS = 500


@dataclass(frozen=True, slots=True)
class TurnView:
    seq: int
    speaker: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AttemptView:
    id: int
    campaign_id: int | None
    contact_id: int
    channel: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    disposition: str
    talk_seconds: int
    robot_id: str | None
    agent_id: str | None
    turns: list[TurnView]
    amd_verdict: str | None = None  # the answering-machine check (voice.amd), when it ran
    amd_reason: str | None = None
    amd_ms: int | None = None


@dataclass(frozen=True, slots=True)
class PromiseView:
    id: int
    attempt_id: int | None
    amount: int
    due_date: date
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PlanView:
    id: int
    attempt_id: int | None
    terms: int
    amount_per_term: int
    waiver: int
    first_due: date
    status: str
    created_at: datetime


def account_attempts(session: Session, account_id: int, limit: int = MAX_ATTEMPTS) -> list[AttemptView]:
    """The account's latest attempts, oldest first, each with its turns in order."""
    rows = session.scalars(
        select(CallAttempt)
        .options(selectinload(CallAttempt.turns))
        .where(CallAttempt.account_id == account_id)
        .order_by(CallAttempt.started_at.desc(), CallAttempt.id.desc())
        .limit(limit)
    ).all()
    return [
        AttemptView(
            id=a.id,
            campaign_id=a.campaign_id,
            contact_id=a.contact_id,
            channel=a.channel,
            status=a.status,
            started_at=a.started_at,
            ended_at=a.ended_at,
            outcome=a.outcome,
            disposition=a.disposition,
            talk_seconds=a.talk_seconds,
            robot_id=a.robot_id,
            agent_id=a.agent_id,
            turns=[TurnView(t.seq, t.speaker, t.text, t.at) for t in a.turns],
            amd_verdict=a.amd_verdict,
            amd_reason=a.amd_reason,
            amd_ms=a.amd_ms,
        )
        for a in reversed(rows)
    ]


def account_promises(session: Session, account_id: int) -> list[PromiseView]:
    rows = session.scalars(
        select(Promise).where(Promise.account_id == account_id).order_by(Promise.created_at, Promise.id)
    )
    return [PromiseView(p.id, p.attempt_id, p.amount, p.due_date, p.status, p.created_at) for p in rows]


def account_plans(session: Session, account_id: int) -> list[PlanView]:
    rows = session.scalars(
        select(InstallmentPlan)
        .where(InstallmentPlan.account_id == account_id)
        .order_by(InstallmentPlan.created_at)
    )
    return [
        PlanView(
            p.id, p.attempt_id, p.terms, p.amount_per_term, p.waiver, p.first_due, p.status, p.created_at
        )
        for p in rows
    ]
