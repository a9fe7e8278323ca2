"""Desk values: agent states, transfer reasons and statuses, wrap-up codes, the screen pop."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class AgentState(StrEnum):
    AVAILABLE = "available"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    BREAK = "break"
    OFFLINE = "offline"


STATE_LABELS: dict[AgentState, str] = {
    AgentState.AVAILABLE: "空闲 / available",
    AgentState.ON_CALL: "通话中 / on call",
    AgentState.WRAP_UP: "话后处理 / wrap-up",
    AgentState.BREAK: "休息 / break",
    AgentState.OFFLINE: "离线 / offline",
}
# States an agent may choose at the desk; on_call and wrap_up follow transfers, not clicks.
CHOSEN_STATES = frozenset({AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE})


class TransferReason(StrEnum):
    ASKED_FOR_PERSON = "asked_for_person"
    PLAN_NEEDS_APPROVAL = "plan_needs_approval"
    HUMAN_SEGMENT = "human_segment"


REASON_LABELS: dict[TransferReason, str] = {
    TransferReason.ASKED_FOR_PERSON: "债务人要求转人工 / debtor asked for a person",
    TransferReason.PLAN_NEEDS_APPROVAL: "分期方案需人工审批 / plan needs approval",
    TransferReason.HUMAN_SEGMENT: "人工处理客群 / human segment (hand-off treatment)",
}


class DeskPhase(StrEnum):
    """What the agent's desk shows now: the agent's chosen state, or where their transfer is."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    BREAK = "break"
    RINGING = "ringing"  # a pop is offered; the agent has not accepted yet
    ON_CALL = "on_call"  # accepted: talking to the debtor
    CALL_ENDED = "call_ended"  # the robot or the debtor ended the call before the agent accepted
    WRAP_UP = "wrap_up"  # the agent ended the call: wrap-up form


class TransferStatus(StrEnum):
    QUEUED = "queued"  # no agent was free: waits for the next one
    ASSIGNED = "assigned"  # an agent's screen pops
    ACCEPTED = "accepted"  # the agent took the call
    WRAPPED = "wrapped"  # wrap-up code recorded


class HandOffResult(StrEnum):
    """What became of the live call a robot handed to the agent's phone."""

    TRANSFERRED = "transferred"  # the agent answered and talked to the debtor
    TRANSFER_FAILED = "transfer_failed"  # the agent's phone did not answer: back to the queue


class WrapCode(StrEnum):
    PROMISE_TO_PAY = "promise_to_pay"
    PAID = "paid"
    DISPUTE = "dispute"
    HARDSHIP_PLAN = "hardship_plan"
    CALLBACK = "callback"
    WRONG_PARTY = "wrong_party"
    REFUSED = "refused"
    NO_FURTHER_CONTACT = "no_further_contact"
    COMPLAINT = "complaint"
    DROPPED = "dropped"


WRAP_LABELS: dict[WrapCode, str] = {
    WrapCode.PROMISE_TO_PAY: "承诺还款 / promise to pay",
    WrapCode.PAID: "已还款 / paid",
    WrapCode.DISPUTE: "有异议 / dispute",
    WrapCode.HARDSHIP_PLAN: "困难分期方案 / hardship plan",
    WrapCode.CALLBACK: "约定回电 / callback",
    WrapCode.WRONG_PARTY: "非本人 / wrong party",
    WrapCode.REFUSED: "拒绝还款 / refused",
    WrapCode.NO_FURTHER_CONTACT: "要求不再联系 / no further contact",
    WrapCode.COMPLAINT: "投诉 / complaint",
    WrapCode.DROPPED: "通话中断 / call dropped",
}


class DebtorView(BaseModel):
    debtor_id: int
    name: str  # masked unless the viewer's role needs it
    national_id: str | None
    phones: list[str]  # always masked: the call is already bridged
    region: str | None
    timezone: str
    jurisdiction: str


class AccountView(BaseModel):
    account_id: int
    loan_ref: str
    product: str | None
    currency: str
    bucket: str
    overdue: int  # minor units
    outstanding: int
    days_past_due: int


class SegmentView(BaseModel):
    segment: str | None  # the segment the strategy was given (None: the bucket decided)
    treatment: str
    explanation_zh: str
    explanation_en: str
    profiled_segment: str | None = None  # the profile's verdict, "unknown" and "new" included
    best_hours: list[int] = []  # the debtor's local hours with the best answer rate
    propensity: float | None = None
    propensity_version: str | None = None


class TurnView(BaseModel):
    seq: int
    speaker: str
    text: str
    at: datetime


class PromiseView(BaseModel):
    amount: int
    due_date: date
    status: str


class PlanView(BaseModel):
    terms: int
    amount_per_term: int
    waiver: int
    first_due: date
    status: str


class PromiseEntry(BaseModel):
    """A promise the agent took on the call."""

    amount: int = Field(gt=0, le=10**12)  # fen
    due_date: date


class PlanEntry(BaseModel):
    """An installment plan the agent agreed on the call; the payments are computed to the fen."""

    terms: int = Field(ge=1, le=120)
    first_due: date
    waiver_pct: int = Field(default=0, ge=0, le=100)


class PlanBoundsView(BaseModel):
    max_terms: int
    max_waiver_pct: int
    min_first_payment: int
    example_terms: list[int]  # the robot's own proposal at max terms, per payment


class ScreenPop(BaseModel):
    """Everything the agent sees when a transfer rings at their desk."""

    transfer_id: int
    attempt_id: int
    reason: str
    reason_label: str
    requested_at: datetime
    debtor: DebtorView
    account: AccountView
    segment: SegmentView
    transcript: list[TurnView]
    promises: list[PromiseView]
    plans: list[PlanView]
    plan_bounds: PlanBoundsView


class AgentView(BaseModel):
    agent_id: int
    user_id: int
    state: str
    state_label: str
    state_since: datetime
    campaign_id: int | None
    phone_uri: str | None = None


class TransferView(BaseModel):
    transfer_id: int
    attempt_id: int
    status: str
    reason: str
    agent_id: int | None
    requested_at: datetime
    assigned_at: datetime | None
    wrap_code: str | None
    callback_at: datetime | None
    handoff: str | None = None


class CallbackWindowView(BaseModel):
    """When a callback may be booked: the rule pack's window in the debtor's own time zones."""

    start: str  # "08:00", debtor local time
    end: str
    zones: list[str]


class DeskNow(BaseModel):
    """Everything a reloaded desk page needs to restore itself, whatever the state."""

    agent: AgentView
    phase: str  # DeskPhase
    transfer: TransferView | None
    pop: ScreenPop | None
    callback_window: CallbackWindowView | None


class QueuedView(BaseModel):
    transfer_id: int
    reason: str
    campaign_id: int | None
    requested_at: datetime


class CallbackView(BaseModel):
    attempt_id: int
    account_id: int
    callback_at: datetime
    mine: bool  # booked by this agent (else: by a robot, for the floor)


class DeskQueue(BaseModel):
    transfers: list[QueuedView]
    callbacks: list[CallbackView]
