"""What calls produced: attempts, transcript turns, promises, installment plans."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huikuan.db import Base, UTCDateTime
from huikuan.security.crypto import EncryptedText


class CallAttempt(Base):
    """One dial (or SMS) to one contact: written at reservation, completed at hang-up."""

    __tablename__ = "call_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8), default="voice")
    status: Mapped[str] = mapped_column(String(16), default="reserved")  # types.AttemptStatus
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))  # types.CallOutcome
    conversation: Mapped[bool] = mapped_column(default=False)
    talk_seconds: Mapped[int] = mapped_column(Integer, default=0)
    disposition: Mapped[str] = mapped_column(String(24), default="none")  # types.Disposition
    script_version_id: Mapped[int | None] = mapped_column(ForeignKey("script_version.id"))
    robot_id: Mapped[str | None] = mapped_column(String(32))
    agent_id: Mapped[str | None] = mapped_column(String(32))
    transfer_requested: Mapped[bool] = mapped_column(default=False)
    # A callback the debtor booked, inside the calling window (the dialer dials it then).
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The call stage that raised and the exception's type ("say:TtsError"), never its message.
    failure_cause: Mapped[str | None] = mapped_column(String(48))
    # The answering-machine check, when it ran: voice.amd.AmdVerdict (human | machine | notsure),
    # its reason code and how long after the answer it decided. Empty when no check ran.
    amd_verdict: Mapped[str | None] = mapped_column(String(8))
    amd_reason: Mapped[str | None] = mapped_column(String(24))
    amd_ms: Mapped[int | None] = mapped_column(Integer)

    turns: Mapped[list[Turn]] = relationship(order_by="Turn.seq", cascade="all, delete-orphan")


class Turn(Base):
    """One line of the transcript, encrypted like other personal data: a debtor's own words can
    name people, places and numbers, and the robot's lines speak of the debt."""

    __tablename__ = "turn"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(8))  # types.Speaker
    text: Mapped[str] = mapped_column(EncryptedText())
    intent: Mapped[str | None] = mapped_column(String(32))
    node: Mapped[str | None] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdentityDecision(Base):
    """One right-party decision of a call (dialogue.identity): reason codes only, never what was heard."""

    __tablename__ = "identity_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    turn: Mapped[int] = mapped_column(Integer)  # the debtor turn it was taken at (1 = first answer)
    decision: Mapped[str] = mapped_column(String(16))  # confirmed | third_party | asked_again | knowledge_*
    reason: Mapped[str] = mapped_column(String(24))  # dialogue.identity.Reason


class Promise(Base):
    """A promise to pay (PTP) made on a call."""

    __tablename__ = "promise"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # types.PromiseStatus
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InstallmentPlan(Base):
    __tablename__ = "installment_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"))
    terms: Mapped[int] = mapped_column(Integer)
    amount_per_term: Mapped[int] = mapped_column(BigInteger)  # the regular payment
    # The first payment takes the division's remainder (strategy/plans.py); None: as the others.
    first_amount: Mapped[int | None] = mapped_column(BigInteger)
    waiver: Mapped[int] = mapped_column(BigInteger, default=0)
    first_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
