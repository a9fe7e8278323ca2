"""Recording what calls produced: the attempt (reserved, then completed), turns, promises, stops;
and the reads of that record other domains need (the dialer's progress and pacing figures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.compliance import StopKind
from huikuan.db import activity
from huikuan.outcomes import repository
from huikuan.types import AttemptStatus, CallOutcome, Channel, Disposition, Speaker


@dataclass(frozen=True, slots=True)
class TurnIn:
    speaker: Speaker
    text: str  # personal data already masked
    at: datetime
    intent: str | None = None
    node: str | None = None


@dataclass(frozen=True, slots=True)
class IdentityDecisionIn:
    """A right-party decision: the debtor turn, what was decided and why (codes only)."""

    turn: int
    decision: str
    reason: str


@dataclass(frozen=True, slots=True)
class PromiseIn:
    amount: int  # fen
    due_date: date


@dataclass(frozen=True, slots=True)
class AmdFinding:
    """The answering-machine check's verdict (human | machine | notsure), reason code and when
    it decided, in milliseconds from the answer."""

    verdict: str
    reason: str
    decided_ms: int


@dataclass(frozen=True, slots=True)
class AttemptCompletion:
    ended_at: datetime
    outcome: CallOutcome
    conversation: bool
    talk_seconds: int
    disposition: Disposition
    transfer_requested: bool = False
    status: AttemptStatus = AttemptStatus.COMPLETED
    callback_at: datetime | None = None
    failure_cause: str | None = None  # "stage:ExceptionType" when a stage raised
    amd: AmdFinding | None = None  # None: no answering-machine check ran


@dataclass(frozen=True, slots=True)
class PlanIn:
    """An installment plan the debtor agreed to on the call (inside the strategy's bounds)."""

    terms: int
    amount_per_term: int  # fen, the regular payment
    waiver: int  # fen
    first_due: date
    first_amount: int | None = None  # fen; the first payment when it differs from the others


def start_attempt(
    session: Session,
    *,
    account_id: int,
    debtor_id: int,
    contact_id: int,
    started_at: datetime,
    campaign_id: int | None = None,
    robot_id: str | None = None,
    channel: Channel = Channel.VOICE,
    script_version_id: int | None = None,
) -> int:
    """Write the attempt as `reserved` before the dial, so a crash still leaves its trace."""
    activity.announce(session)  # a call in progress: the dashboard's live count moves
    return repository.insert_attempt(
        session,
        {
            "campaign_id": campaign_id,
            "account_id": account_id,
            "debtor_id": debtor_id,
            "contact_id": contact_id,
            "channel": channel.value,
            "status": AttemptStatus.RESERVED.value,
            "started_at": started_at,
            "robot_id": robot_id,
            "script_version_id": script_version_id,
            "disposition": Disposition.NONE.value,
        },
    )


def complete_attempt(
    session: Session,
    attempt_id: int,
    *,
    account_id: int,
    debtor_id: int,
    completion: AttemptCompletion,
    turns: Sequence[TurnIn] = (),
    promise: PromiseIn | None = None,
    stop: StopKind | None = None,
    plan: PlanIn | None = None,
    identity_decisions: Sequence[IdentityDecisionIn] = (),
) -> None:
    """Complete the attempt with its outcome, transcript, right-party decisions, promise, plan and
    any stop it opened."""
    activity.announce(session)  # every figure of the dashboard may move
    repository.update_attempt(
        session,
        attempt_id,
        {
            "status": completion.status.value,
            "ended_at": completion.ended_at,
            "outcome": completion.outcome.value,
            "conversation": completion.conversation,
            "talk_seconds": completion.talk_seconds,
            "disposition": completion.disposition.value,
            "transfer_requested": completion.transfer_requested,
            "callback_at": completion.callback_at,
            "failure_cause": completion.failure_cause,
            "amd_verdict": completion.amd.verdict if completion.amd else None,
            "amd_reason": completion.amd.reason if completion.amd else None,
            "amd_ms": completion.amd.decided_ms if completion.amd else None,
        },
    )
    repository.insert_turns(
        session,
        [
            {
                "attempt_id": attempt_id,
                "seq": i,
                "speaker": t.speaker.value,
                "text": t.text,
                "intent": t.intent,
                "node": t.node,
                "at": t.at,
            }
            for i, t in enumerate(turns, start=1)
        ],
    )
    repository.insert_identity_decisions(
        session,
        [
            {"attempt_id": attempt_id, "turn": d.turn, "decision": d.decision, "reason": d.reason}
            for d in identity_decisions
        ],
    )
    if promise is not None:
        repository.insert_promise(
            session,
            account_id=account_id,
            attempt_id=attempt_id,
            amount=promise.amount,
            due_date=promise.due_date,
            at=completion.ended_at,
        )
    if plan is not None:
        repository.insert_plan(
            session,
            account_id=account_id,
            attempt_id=attempt_id,
            terms=plan.terms,
            amount_per_term=plan.amount_per_term,
            first_amount=plan.first_amount,
            waiver=plan.waiver,
            first_due=plan.first_due,
            at=completion.ended_at,
        )
    if stop is not None:
        compliance.open_stop(session, debtor_id, stop, completion.ended_at, attempt_id=attempt_id)


# -- reads for other domains ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptFacts:
    """What another domain may know of one attempt."""

    id: int
    account_id: int
    debtor_id: int
    campaign_id: int | None
    status: AttemptStatus
    started_at: datetime
    ended_at: datetime | None


def attempt_facts(session: Session, attempt_id: int) -> AttemptFacts | None:
    """One attempt's ids, status and times; None when there is no such attempt."""
    row = repository.attempt(session, attempt_id)
    if row is None:
        return None
    return AttemptFacts(
        id=row.id,
        account_id=row.account_id,
        debtor_id=row.debtor_id,
        campaign_id=row.campaign_id,
        status=AttemptStatus(row.status),
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


def pending_promise_dates(session: Session, account_ids: Sequence[int]) -> dict[int, date]:
    """account id → the latest due date of its pending promises, for the accounts that have one."""
    if not account_ids:
        return {}
    wanted = set(account_ids)
    return {a: due for a, due in repository.pending_promise_dates(session) if a in wanted}


@dataclass(frozen=True, slots=True)
class AttemptCounts:
    attempts: int
    connects: int
    right_party_contacts: int
    promises: int


def attempt_counts(session: Session, campaign_id: int) -> AttemptCounts:
    """A campaign's attempts, answered calls, right-party contacts and promises."""
    return AttemptCounts(*repository.campaign_counts(session, campaign_id))


def abandon_record(session: Session, campaign_id: int, now: datetime, days: int) -> tuple[int, int]:
    """(answered, abandoned) attempts of the campaign in the `days` days up to `now`."""
    return repository.answered_and_abandoned(session, campaign_id, now - timedelta(days=days), now)


@dataclass(frozen=True, slots=True)
class RecentAttempt:
    outcome: str | None
    started_at: datetime
    ended_at: datetime | None
    talk_seconds: int


def recent_attempts(session: Session, campaign_id: int, limit: int) -> list[RecentAttempt]:
    """The campaign's last `limit` completed attempts, newest first."""
    return [
        RecentAttempt(o, s, e, t) for o, s, e, t in repository.recent_completed(session, campaign_id, limit)
    ]


# -- the history profiling reads ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptHistory:
    account_id: int
    contact_id: int
    started_at: datetime
    outcome: str | None
    conversation: bool
    disposition: str


@dataclass(frozen=True, slots=True)
class HeardIntent:
    account_id: int
    intent: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PromiseHistory:
    account_id: int
    created_at: datetime
    due_date: date
    status: str
    amount: int


@dataclass(frozen=True, slots=True)
class OutcomeHistory:
    """Every attempt, debtor intent and promise made before `until` (profiling's input)."""

    attempts: list[AttemptHistory]
    intents: list[HeardIntent]
    promises: list[PromiseHistory]


def history_until(session: Session, until: datetime) -> OutcomeHistory:
    """The record of calls before `until`: attempts, what the debtor said, promises."""
    return OutcomeHistory(
        attempts=[AttemptHistory(*row) for row in repository.attempt_history(session, until)],
        intents=[HeardIntent(*row) for row in repository.debtor_intents(session, until)],
        promises=[PromiseHistory(*row) for row in repository.promise_history(session, until)],
    )


def debtor_history(session: Session, debtor_id: int) -> list[dict[str, object]]:
    """Every attempt on a debtor with its transcript and promises, for a subject-access export
    (data lifecycle): plain values, oldest first."""
    return repository.debtor_history(session, debtor_id)


def last_contact_at(session: Session, debtor_id: int) -> datetime | None:
    """The start of the newest attempt on the debtor, or None."""
    return repository.last_attempt_at(session, debtor_id)


def erase_debtor_words(session: Session, debtor_id: int) -> int:
    """Replace what the debtor said in every transcript (the robot's lines are already masked)."""
    return repository.erase_debtor_turns(session, debtor_id, "[已删除 / erased]")


@dataclass(frozen=True, slots=True)
class PendingPromise:
    promise_id: int
    account_id: int
    amount: int
    due_date: date
    made_at: datetime


def pending_promises_due_before(session: Session, day: date) -> list[PendingPromise]:
    """Pending promises whose due day is before `day` (the simulator decides them)."""
    return [
        PendingPromise(p.id, p.account_id, p.amount, p.due_date, p.created_at)
        for p in repository.pending_promises(session)
        if p.due_date < day
    ]
