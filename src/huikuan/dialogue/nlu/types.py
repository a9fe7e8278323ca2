"""The NLU's public shapes: intent labels, emotions, entities and one result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Intent(StrEnum):
    CONFIRM_IDENTITY = "confirm_identity"
    WRONG_NUMBER = "wrong_number"
    THIRD_PARTY = "third_party"
    DEBTOR_DECEASED = "debtor_deceased"  # the person answering says the debtor has died
    PROMISE_TO_PAY = "promise_to_pay"
    ALREADY_PAID = "already_paid"
    HARDSHIP = "hardship"
    REQUEST_INSTALLMENT = "request_installment"
    DISPUTE = "dispute"
    REFUSE_TO_PAY = "refuse_to_pay"
    ABUSIVE = "abusive"
    REQUEST_HUMAN = "request_human"
    ASK_IF_ROBOT = "ask_if_robot"
    CALLBACK_LATER = "callback_later"
    STOP_CONTACT = "stop_contact"
    COMPLAINT = "complaint"
    ASK_DETAILS = "ask_details"
    ASK_PAYMENT_METHOD = "ask_payment_method"
    AFFIRM = "affirm"  # a bare yes or acknowledgement (好的, 嗯嗯, yeah, uh huh) that names no one
    OTHER = "other"


# When several intents apply, the first in this order wins (issue 4; issue 13 moved request_human).
PRIORITY: tuple[Intent, ...] = (
    Intent.ABUSIVE,
    Intent.STOP_CONTACT,
    Intent.COMPLAINT,
    Intent.WRONG_NUMBER,
    Intent.DEBTOR_DECEASED,
    Intent.THIRD_PARTY,
    # A request for a person outranks the robot question in the same breath ("are you a robot?
    # I want a real person"): the transfer is what the debtor asked for, and the opening and
    # the transfer line already say it is an AI; answering only the question lost the transfer.
    Intent.REQUEST_HUMAN,
    Intent.ASK_IF_ROBOT,
    Intent.DISPUTE,
    Intent.ALREADY_PAID,
    Intent.PROMISE_TO_PAY,
    Intent.REQUEST_INSTALLMENT,
    Intent.HARDSHIP,
    Intent.REFUSE_TO_PAY,
    Intent.CALLBACK_LATER,
    Intent.ASK_PAYMENT_METHOD,
    Intent.ASK_DETAILS,
    Intent.CONFIRM_IDENTITY,
    Intent.AFFIRM,
    Intent.OTHER,
)
RANK: dict[Intent, int] = {intent: i for i, intent in enumerate(PRIORITY)}


class Emotion(StrEnum):
    NEUTRAL = "neutral"
    ANGRY = "angry"
    DISTRESSED = "distressed"
    ANXIOUS = "anxious"


@dataclass(frozen=True, slots=True)
class Entities:
    amount: int | None = None  # minor units (fen / cents)
    date: date | None = None


@dataclass(frozen=True, slots=True)
class NluResult:
    intent: Intent
    confidence: float
    entities: Entities
    emotion: Emotion
