"""What the console shows for a stored code (`ptp`, `abusive_hangup`, `supervisor`, ...).

Each label is an English message id translated through the catalogue (web/i18n.py), so a code
never reaches the screen raw; an unknown code is shown as itself so nothing is hidden. Areas add
their own kinds with `register` (the catalogue test finds their `N_` strings).
"""

from __future__ import annotations

from huikuan.desk.schemas import AgentState, TransferReason, WrapCode
from huikuan.profiling.segments import Segment
from huikuan.security.users import Role
from huikuan.strategy.treatment import Treatment
from huikuan.types import (
    AttemptStatus,
    CallOutcome,
    ContactStatus,
    Disposition,
    PromiseStatus,
    Relation,
    Speaker,
)
from huikuan.web.i18n import N_, translate

LABELS: dict[str, dict[str, str]] = {
    "disposition": {
        Disposition.PTP: N_("Promise to pay"),
        Disposition.PAID: N_("Paid"),
        Disposition.DISPUTE: N_("Dispute"),
        Disposition.HARDSHIP: N_("Hardship"),
        Disposition.INSTALLMENT: N_("Installment plan"),
        Disposition.REFUSED: N_("Refused to pay"),
        Disposition.CALLBACK: N_("Callback"),
        Disposition.WRONG_NUMBER: N_("Wrong number"),
        Disposition.THIRD_PARTY: N_("Third party answered"),
        Disposition.ABUSIVE_HANGUP: N_("Abusive, hung up politely"),
        Disposition.TRANSFERRED: N_("Transferred to an agent"),
        Disposition.CEASE_REQUESTED: N_("Asked to stop contact"),
        Disposition.COMPLAINT: N_("Complaint"),
        Disposition.DECEASED: N_("Reported deceased"),
        Disposition.ABANDONED: N_("Abandoned (no agent free)"),
        Disposition.NONE: N_("No result"),
    },
    "outcome": {
        CallOutcome.ANSWERED: N_("Answered"),
        CallOutcome.NO_ANSWER: N_("No answer"),
        CallOutcome.BUSY: N_("Busy"),
        CallOutcome.INVALID_NUMBER: N_("Number does not exist"),
        CallOutcome.POWERED_OFF: N_("Phone powered off"),
        CallOutcome.REJECTED: N_("Rejected"),
        CallOutcome.FAILED: N_("Failed"),
        CallOutcome.VOICEMAIL: N_("Voicemail"),
        CallOutcome.TRUNK_FAILED: N_("Our trunk failed (not counted)"),
    },
    "amd_verdict": {  # voice.amd.AmdVerdict
        "human": N_("A person answered"),
        "machine": N_("Answering machine"),
        "notsure": N_("Not sure who answered"),
    },
    "attempt_status": {
        AttemptStatus.RESERVED: N_("Dialling"),
        AttemptStatus.COMPLETED: N_("Completed"),
        AttemptStatus.FAILED: N_("Crashed"),
    },
    "promise_status": {
        PromiseStatus.PENDING: N_("Pending"),
        PromiseStatus.KEPT: N_("Kept"),
        PromiseStatus.BROKEN: N_("Broken"),
        PromiseStatus.CANCELLED: N_("Cancelled"),
    },
    "contact_status": {
        ContactStatus.UNKNOWN: N_("Not yet known"),
        ContactStatus.VALID: N_("Valid"),
        ContactStatus.INVALID: N_("Invalid"),
        ContactStatus.POWERED_OFF: N_("Powered off"),
    },
    "relation": {
        Relation.SELF: N_("Debtor"),
        Relation.EMERGENCY_CONTACT: N_("Emergency contact"),
        Relation.FAMILY: N_("Family"),
        Relation.EMPLOYER: N_("Employer"),
    },
    "speaker": {Speaker.ROBOT: N_("Robot"), Speaker.DEBTOR: N_("Debtor"), Speaker.AGENT: N_("Agent")},
    "role": {
        Role.ADMIN: N_("Administrator"),
        Role.SUPERVISOR: N_("Supervisor"),
        Role.AGENT: N_("Agent"),
        Role.COMPLIANCE_OFFICER: N_("Compliance officer"),
        Role.AUDITOR: N_("Auditor"),
        Role.SYSTEM: N_("System"),
    },
    "segment": {
        Segment.FORGETFUL: N_("Forgetful"),
        Segment.HARDSHIP: N_("In hardship"),
        Segment.UNWILLING: N_("Unwilling"),
        Segment.DISPUTING: N_("Disputing"),
        Segment.ABUSIVE: N_("Abusive"),
        Segment.UNREACHABLE: N_("Unreachable"),
        Segment.NEW: N_("New (not called yet)"),
        Segment.UNKNOWN: N_("Unknown"),
    },
    "treatment": {
        Treatment.FRIENDLY_REMINDER: N_("Friendly reminder"),
        Treatment.HARDSHIP_INSTALLMENT: N_("Hardship installment offer"),
        Treatment.UNWILLING_NOTICE: N_("Formal notice"),
        Treatment.DISPUTE_INTAKE: N_("Dispute intake"),
        Treatment.HUMAN_HANDOFF: N_("Hand-off to a person"),
    },
    "agent_state": {
        AgentState.AVAILABLE: N_("Available"),
        AgentState.ON_CALL: N_("On call"),
        AgentState.WRAP_UP: N_("Wrap-up"),
        AgentState.BREAK: N_("On break"),
        AgentState.OFFLINE: N_("Offline"),
    },
    "transfer_reason": {
        TransferReason.ASKED_FOR_PERSON: N_("Debtor asked for a person"),
        TransferReason.PLAN_NEEDS_APPROVAL: N_("Plan needs approval"),
        TransferReason.HUMAN_SEGMENT: N_("Human segment (hand-off treatment)"),
    },
    "wrap_code": {
        WrapCode.PROMISE_TO_PAY: N_("Promise to pay"),
        WrapCode.PAID: N_("Paid"),
        WrapCode.DISPUTE: N_("Dispute"),
        WrapCode.HARDSHIP_PLAN: N_("Hardship plan"),
        WrapCode.CALLBACK: N_("Callback"),
        WrapCode.WRONG_PARTY: N_("Wrong party"),
        WrapCode.REFUSED: N_("Refused to pay"),
        WrapCode.NO_FURTHER_CONTACT: N_("No further contact"),
        WrapCode.COMPLAINT: N_("Complaint"),
        WrapCode.DROPPED: N_("Call dropped"),
    },
}


def register(kind: str, labels: dict[str, str]) -> None:
    """Add (or extend) a kind of code; `labels` maps code → `N_("English label")`."""
    LABELS.setdefault(kind, {}).update({str(code): text for code, text in labels.items()})


def label(lang: str, kind: str, code: object) -> str:
    """The label of `code` in `lang`; the code itself when no label is known."""
    text = LABELS.get(kind, {}).get(str(code))
    return translate(lang, text) if text else str(code)
