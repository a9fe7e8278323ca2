"""The portfolio's answers on the API and the pages: a page of accounts, and one account with
everything the floor knows about it, read through the domains' services and masked.

This module only assembles: each domain reads its own tables (portfolio.search, outcomes,
compliance.timeline, profiling, voice.playback) and the debtor's data is masked by
portfolio.cards (the transcript too, through its redactor)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huikuan.compliance import service as compliance_service
from huikuan.compliance import timeline
from huikuan.errors import NotFound
from huikuan.outcomes import account_history
from huikuan.portfolio import search
from huikuan.portfolio.cards import DebtorCard, debtor_card, redactor
from huikuan.portfolio.search import AccountDetail
from huikuan.profiling import service as profiling_service
from huikuan.profiling.filters import accounts_in_segment
from huikuan.profiling.segments import Segment
from huikuan.voice import playback
from huikuan.web import labels
from huikuan.web.i18n import N_

labels.register("bucket", {"current": N_("Not yet due")})
labels.register("account_status", {"open": N_("Open"), "paid": N_("Paid off"), "closed": N_("Closed")})
labels.register(
    "status_filter", {"open": N_("Open"), "paid": N_("Paid off"), "stopped": N_("Contact stopped")}
)
labels.register(
    "stop_kind",
    {
        "complaint": N_("Complaint"),
        "dispute": N_("Dispute"),
        "cease": N_("Cease request"),
        "deceased": N_("Reported deceased"),
    },
)
labels.register("stop_status", {"open": N_("Stop in force"), "cleared": N_("Cleared")})
labels.register("channel", {"voice": N_("Voice call"), "sms": N_("Text message")})
labels.register(
    "plan_status",
    {
        "proposed": N_("Proposed"),
        "agreed": N_("Agreed"),
        "completed": N_("Completed"),
        "broken": N_("Broken"),
        "cancelled": N_("Cancelled"),
    },
)
labels.register("payment_source", {"import": N_("Creditor file"), "desk": N_("Agent desk")})
labels.register("profile_source", {"rules": N_("Rules"), "model": N_("Learned model")})


class AccountRowOut(BaseModel):
    account_id: int
    debtor_id: int
    debtor_name: str  # masked
    loan_ref: str
    creditor: str
    batch: str
    bucket: str
    days_past_due: int
    overdue: int  # minor units
    outstanding: int
    currency: str
    status: str


class AccountSearchOut(BaseModel):
    rows: list[AccountRowOut]
    total: int = Field(description="accounts matching, counted up to 10,000")
    more: bool = Field(description="more than `total` match: narrow the filters to reach them")
    page: int
    page_size: int
    pages: int


def search_page(session: Session, query: search.AccountQuery, segment: Segment | None) -> AccountSearchOut:
    found = search.search_accounts(
        session,
        query,
        in_accounts=accounts_in_segment(segment) if segment is not None else None,
        stopped_debtors=timeline.stopped_debtors(),
    )
    return AccountSearchOut(
        rows=[AccountRowOut.model_validate(r, from_attributes=True) for r in found.rows],
        total=found.total,
        more=found.more,
        page=found.page,
        page_size=found.page_size,
        pages=found.pages,
    )


class ProfileOut(BaseModel):
    computed_at: datetime
    segment: str
    source: str
    confidence: float
    explanation_zh: str
    explanation_en: str
    best_hours: list[int]
    propensity: float | None
    propensity_version: str | None


class TurnOut(BaseModel):
    seq: int
    speaker: str
    text: str  # the debtor's name and numbers masked
    at: datetime


class AttemptOut(BaseModel):
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
    turns: list[TurnOut]
    recording_id: int | None
    recording_seconds: float | None
    amd_verdict: str | None = None  # human | machine | notsure: the answering-machine check
    amd_reason: str | None = None  # voice.amd reason code (beep, long_greeting, ...)
    amd_ms: int | None = None  # when it decided, ms after the answer


class DecisionOut(BaseModel):
    id: int
    at: datetime
    contact_id: int | None
    channel: str
    allowed: bool
    rule: str | None
    title_zh: str | None
    title_en: str | None
    next_allowed_at: datetime | None


class TimelineEntry(BaseModel):
    """One line of the account's history: an attempt or a compliance decision, by time."""

    at: datetime
    kind: str  # attempt | decision
    attempt_id: int | None = None
    decision_id: int | None = None


class PromiseOut(BaseModel):
    id: int
    attempt_id: int | None
    amount: int
    due_date: date
    status: str
    created_at: datetime


class PlanOut(BaseModel):
    id: int
    attempt_id: int | None
    terms: int
    amount_per_term: int
    waiver: int
    first_due: date
    status: str
    created_at: datetime


class PaymentOut(BaseModel):
    id: int
    amount: int
    paid_at: datetime
    source: str


class StopOut(BaseModel):
    id: int
    kind: str
    status: str
    opened_at: datetime
    attempt_id: int | None
    cleared_at: datetime | None


class AccountViewOut(BaseModel):
    account: AccountDetail  # the domain's view: no personal data
    debtor: DebtorCard  # masked
    profile: ProfileOut | None
    attempts: list[AttemptOut]
    decisions: list[DecisionOut]
    timeline: list[TimelineEntry]
    promises: list[PromiseOut]
    plans: list[PlanOut]
    payments: list[PaymentOut]
    stops: list[StopOut]


def account_view(session: Session, account_id: int) -> AccountViewOut:
    """Everything about one account, masked for view_masked."""
    detail = search.account_detail(session, account_id)
    if detail is None:
        raise NotFound(f"没有案件 / no account {account_id}")
    redact = redactor(session, detail.debtor_id)
    attempts = account_history.account_attempts(session, account_id)
    recordings = playback.recordings_of(session, [a.id for a in attempts])
    attempts_out = [
        AttemptOut(
            **{k: getattr(a, k) for k in AttemptOut.model_fields if hasattr(a, k) and k != "turns"},
            turns=[TurnOut(seq=t.seq, speaker=t.speaker, text=redact(t.text), at=t.at) for t in a.turns],
            recording_id=recordings[a.id].id if a.id in recordings else None,
            recording_seconds=recordings[a.id].seconds if a.id in recordings else None,
        )
        for a in attempts
    ]
    decisions = [
        DecisionOut.model_validate(d, from_attributes=True)
        for d in timeline.debtor_decisions(session, detail.debtor_id)
    ]
    entries = [TimelineEntry(at=a.started_at, kind="attempt", attempt_id=a.id) for a in attempts_out] + [
        TimelineEntry(at=d.at, kind="decision", decision_id=d.id) for d in decisions
    ]
    # A decision is taken before the attempt it allows: at the same instant it comes first.
    entries.sort(key=lambda e: (e.at, 0 if e.kind == "decision" else 1, e.attempt_id or e.decision_id or 0))
    profile = profiling_service.profile_of(session, account_id)
    return AccountViewOut(
        account=detail,
        debtor=debtor_card(session, detail.debtor_id),
        profile=None
        if profile is None
        else ProfileOut(
            computed_at=profile.computed_at,
            segment=profile.segment.value,
            source=profile.source,
            confidence=profile.confidence,
            explanation_zh=profile.explanation_zh,
            explanation_en=profile.explanation_en,
            best_hours=profile.best_hours,
            propensity=profile.propensity,
            propensity_version=profile.propensity_version,
        ),
        attempts=attempts_out,
        decisions=decisions,
        timeline=entries,
        promises=[
            PromiseOut.model_validate(p, from_attributes=True)
            for p in account_history.account_promises(session, account_id)
        ],
        plans=[
            PlanOut.model_validate(p, from_attributes=True)
            for p in account_history.account_plans(session, account_id)
        ],
        payments=[
            PaymentOut.model_validate(p, from_attributes=True)
            for p in search.payments_of(session, account_id)
        ],
        stops=[
            StopOut(
                id=s.id,
                kind=s.kind.value,
                status=s.status,
                opened_at=s.opened_at,
                attempt_id=s.attempt_id,
                cleared_at=s.cleared_at,
            )
            for s in compliance_service.list_stops(session, open_only=False, debtor_id=detail.debtor_id)
        ],
    )
