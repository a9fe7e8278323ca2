"""The typed values that pass between the stages of one call: what to call, how it ended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from huikuan.compliance import Decision
from huikuan.portfolio.models import Contact
from huikuan.strategy import PlanBounds
from huikuan.types import CallOutcome, Disposition, KnowledgeCheck, Relation


@dataclass(frozen=True, slots=True)
class CallWork:
    """Everything one call needs; `number` and `debtor_name` are personal data: never log them.

    The call's language is the script's (`Script.lang`), never a field here: one source of truth
    for the words said, the dates and amounts read out and the callback times booked."""

    account_id: int
    contact: Contact
    number: str
    debtor_name: str
    platform: str
    amount_fen: int
    due_date: date
    today: date  # the debtor's local date, for resolving "明天", "周五"
    campaign_id: int | None = None
    timezone: str = "Asia/Shanghai"  # the debtor's zone: callbacks are booked in its calling window
    plan_bounds: PlanBounds | None = None  # what installment plan the robot may offer (strategy)
    dialect: str | None = None  # the debtor's dialect (cmn, yue, hak, en…): picks the robot's voice
    callback_number: str = ""  # the campaign's number a voicemail asks to call back
    agent_name: str = ""  # the campaign's contact person a voicemail names
    # The creditor's knowledge check before any disclosure and its expected answer (decrypted
    # personal data: never logged; kept out of repr).
    knowledge_check: KnowledgeCheck = KnowledgeCheck.NONE
    knowledge_answer: str = field(default="", repr=False)
    # Answering-machine detection before the robot speaks (the campaign's `amd`): a machine
    # hears the voicemail script's limited-content message after its beep. Off for a call
    # built by hand; a carrier without media (simulated) is never screened.
    amd: bool = False

    @property
    def relation(self) -> Relation:
        return Relation(self.contact.relation)


class AnswerRoute(StrEnum):
    """Who takes an answered call: the robot, an agent (the call left the robot), or nobody."""

    ROBOT = "robot"
    AGENT = "agent"
    ABANDONED = "abandoned"


class CallStage(StrEnum):
    """Where in the pipeline a call failed (stored on the attempt as its failure cause)."""

    DIAL = "dial"
    TRUNK = "trunk"  # our side failed before the callee's network (outcome trunk_failed)
    ROUTE = "route"
    AMD = "amd"  # answering-machine detection
    VOICE = "voice"
    SAY = "say"
    HEAR = "hear"
    STEP = "step"
    HANGUP = "hangup"
    HANDOFF = "handoff"  # the live hand-off to an agent's phone
    RECORD = "record"


# `route_answer(session, attempt_id, answered_at)`: asked once when the call is answered (agent
# campaigns); it runs on the database runner with the call's session.
RouteAnswer = Callable[..., AnswerRoute]


@dataclass(frozen=True, slots=True)
class CallResult:
    decision: Decision
    attempt_id: int | None = None
    outcome: CallOutcome | None = None
    disposition: Disposition = Disposition.NONE
    right_party: bool = False
    answered_by: AnswerRoute | None = None  # None: not answered
    seconds: float = 0.0  # virtual seconds the line was busy (dial + talk)
    # As recorded on the attempt (and its promise), so a dialer need not read them back.
    callback_at: datetime | None = None
    transfer_requested: bool = False
    handoff: str | None = None  # the live hand-off to an agent's phone: transferred / transfer_failed
    promise_due: date | None = None
    failed_at: CallStage | None = None  # the stage that raised; the call was still closed cleanly
    failure: str | None = None  # what failed there: an exception's type name, or a trunk's cause
