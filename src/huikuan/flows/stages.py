"""The database stages of a call: reserve and start the attempt before the dial; record after.

Plain synchronous functions on the caller's `Session` (they run on the `DbRunner`, off the
event loop). `record` writes everything the call produced in one transaction: the attempt's
outcome and failure cause, turns, promise, plan, stops, blocked sentences, the ledger outcome
and the recording.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.compliance import Decision, StopKind
from huikuan.dialogue import DialogueOutcome, GuardHit
from huikuan.dialogue.llm import Exchange, record_exchanges
from huikuan.flows.work import AnswerRoute, CallResult, CallStage, CallWork
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.service import (
    AmdFinding,
    AttemptCompletion,
    IdentityDecisionIn,
    PlanIn,
    PromiseIn,
    TurnIn,
)
from huikuan.types import AttemptStatus, CallOutcome, Channel, Disposition, Relation
from huikuan.voice.amd import AmdResult
from huikuan.voice.attach import store_recording
from huikuan.voice.recording import CallRecorder

log = logging.getLogger(__name__)
FIRST_PLAN_PAYMENT_DAYS = 7

# What the record says of an answered call the robot did not speak on.
_ROUTED_DISPOSITION = {
    AnswerRoute.ROBOT: Disposition.NONE,  # the robot's dialogue gives the disposition
    AnswerRoute.AGENT: Disposition.TRANSFERRED,
    AnswerRoute.ABANDONED: Disposition.ABANDONED,
}


@dataclass(frozen=True, slots=True)
class Started:
    """A reserved contact with its attempt written (both committed before the dial)."""

    decision: Decision
    attempt_id: int
    ledger_entry_id: int
    at: datetime


def reserve_and_start(
    session: Session,
    work: CallWork,
    at: datetime,
    robot_id: str,
    script_version_id: int | None,
) -> Started | Decision:
    """Ask compliance for the contact and write the attempt; the denial itself when refused."""
    decision = compliance.reserve(session, work.contact, at, Channel.VOICE, artificial_voice=True)
    if not decision.allowed or decision.ledger_entry_id is None:
        return decision
    attempt_id = outcomes.start_attempt(
        session,
        account_id=work.account_id,
        debtor_id=work.contact.debtor_id,
        contact_id=work.contact.id,
        started_at=at,
        campaign_id=work.campaign_id,
        robot_id=robot_id,
        script_version_id=script_version_id,
    )
    return Started(decision, attempt_id, decision.ledger_entry_id, at)


@dataclass(slots=True)
class CallRecord:
    """What a call produced, gathered by `place_call` for the record stage."""

    started: Started
    outcome: CallOutcome = CallOutcome.FAILED
    setup: float = 0.0
    talk: float = 0.0
    answered_by: AnswerRoute | None = None
    dialogue: DialogueOutcome | None = None
    guard_hits: tuple[GuardHit, ...] = ()
    llm_exchanges: tuple[Exchange, ...] = ()  # what the LLM was asked and answered in this call
    turns: tuple[TurnIn, ...] = ()
    recorder: CallRecorder | None = None
    failed_at: CallStage | None = None
    failure: str | None = None  # the exception's type name: never its message (it may hold data)
    handoff: str | None = None  # desk.schemas.HandOffResult of a live hand-off to an agent's phone
    callback_at: datetime | None = None  # booked by the call's end (an agent who did not answer)
    amd: AmdResult | None = None  # the answering-machine check's verdict, when it ran


def _store_recording(session: Session, rec: CallRecord) -> None:
    """The recording first, in a savepoint: a disk or database error there costs the
    recording, never the attempt, its turns or the ledger outcome (it becomes the failure cause)."""
    assert rec.recorder is not None  # noqa: S101  # checked by the caller
    try:
        with session.begin_nested():
            store_recording(session, rec.recorder)
    except Exception as e:
        log.error("attempt %s: recording not stored (%s)", rec.started.attempt_id, type(e).__name__)
        if rec.failed_at is None:
            rec.failed_at, rec.failure = CallStage.RECORD, type(e).__name__


def record(
    session: Session, work: CallWork, rec: CallRecord, lang: str, script_version_id: int | None
) -> CallResult:
    """Write the call's outcome in the caller's transaction (the caller commits)."""
    started, result = rec.started, rec.dialogue
    if rec.recorder is not None:
        _store_recording(session, rec)
    # The record's `conversation` is the right party reached and speaking (export contract);
    # the compliance ledger counts every answered call instead: the stricter reading of
    # CN.CONV_PER_DAY, so an audit of the export can never find more conversations than the caps saw.
    right_party = bool(result and result.identity_confirmed and work.relation == Relation.SELF)
    if result:
        disposition = Disposition(result.disposition)
    else:
        disposition = _ROUTED_DISPOSITION[rec.answered_by] if rec.answered_by else Disposition.NONE
    promise = None
    if result and result.promise.confirmed and result.promise.amount_fen and result.promise.due_date:
        promise = PromiseIn(result.promise.amount_fen, result.promise.due_date)
    plan = None
    if result and result.plan_accepted and result.plan is not None:
        # The first payment falls on the date the debtor named, or a week from today.
        first_due = result.promise.due_date or work.today + timedelta(days=FIRST_PLAN_PAYMENT_DAYS)
        plan = PlanIn(
            result.plan.terms,
            result.plan.installment,
            result.plan.waiver,
            first_due,
            first_amount=result.plan.first_payment,
        )
    transfer = bool(result and result.transfer_requested) or rec.answered_by == AnswerRoute.AGENT
    callback_at = rec.callback_at or (result.callback_at if result else None)
    ended = started.at + timedelta(seconds=rec.setup + rec.talk)
    cause = f"{rec.failed_at}:{rec.failure}"[:48] if rec.failed_at else None
    outcomes.complete_attempt(
        session,
        started.attempt_id,
        account_id=work.account_id,
        debtor_id=work.contact.debtor_id,
        completion=AttemptCompletion(
            ended_at=ended,
            outcome=rec.outcome,
            conversation=right_party,
            talk_seconds=round(rec.talk),
            disposition=disposition,
            transfer_requested=transfer,
            status=AttemptStatus.FAILED if rec.failed_at else AttemptStatus.COMPLETED,
            callback_at=callback_at,
            failure_cause=cause,
            amd=AmdFinding(rec.amd.verdict.value, rec.amd.reason, rec.amd.at_ms) if rec.amd else None,
        ),
        plan=plan,
        turns=rec.turns,
        promise=promise,
        stop=StopKind(result.stop) if result and result.stop else None,
        identity_decisions=[
            IdentityDecisionIn(d.turn, d.decision.value, d.reason.value)
            for d in (result.identity_decisions if result else ())
        ],
    )
    if rec.guard_hits:
        compliance.record_blocked_sentences(
            session,
            [
                compliance.BlockedSentence(h.node, tuple(h.contexts), tuple(h.categories), h.masked_text)
                for h in rec.guard_hits
            ],
            at=ended,
            lang=lang,
            attempt_id=started.attempt_id,
            script_version_id=script_version_id,
        )
    if rec.llm_exchanges:
        record_exchanges(session, rec.llm_exchanges, attempt_id=started.attempt_id)
    compliance.record_outcome(
        session,
        started.ledger_entry_id,
        rec.outcome,
        conversation=rec.outcome == CallOutcome.ANSWERED,
        refused_further_contact=bool(result and result.refused_further_contact),
        attempt_id=started.attempt_id,
    )
    return CallResult(
        decision=started.decision,
        attempt_id=started.attempt_id,
        outcome=rec.outcome,
        disposition=disposition,
        right_party=right_party,
        seconds=rec.setup + rec.talk,
        callback_at=callback_at,
        transfer_requested=transfer,
        handoff=rec.handoff,
        promise_due=promise.due_date if promise else None,
        answered_by=rec.answered_by,
        failed_at=rec.failed_at,
        failure=rec.failure,
    )
