"""Compliance tables: the contact ledger, every decision taken, and contact stops."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime
from huikuan.security.crypto import EncryptedText


class LedgerEntry(Base):
    """One reserved contact; its outcome is filled in when the attempt ends."""

    __tablename__ = "contact_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    number_key: Mapped[str] = mapped_column(String(32), index=True)  # caps per number span debtors
    relation: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))  # None while the call is in progress
    conversation: Mapped[bool] = mapped_column(default=False)
    refused_further_contact: Mapped[bool] = mapped_column(default=False)


class Decision(Base):
    """Every reserve() answer, allowed or denied, kept for audit."""

    __tablename__ = "compliance_decision"
    # The decisions log filters on the outcome and pages newest first (web /compliance/decisions);
    # the KPIs count denials by rule from the denied rows alone (an index-only scan, not the table).
    __table_args__ = (
        Index("ix_compliance_decision_allowed_at", "allowed", "at"),
        Index(
            "ix_compliance_decision_denied_rule",
            "rule",
            postgresql_where=text("NOT allowed"),
            sqlite_where=text("NOT allowed"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(8))
    allowed: Mapped[bool] = mapped_column()
    rule: Mapped[str | None] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(Text)
    next_allowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("contact_ledger.id"))


class Complaint(Base):
    """A stop on contact: a complaint, a dispute or a cease request, until a person clears it."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"))
    kind: Mapped[str] = mapped_column(String(16))  # complaint | dispute | cease | deceased
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | cleared
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    details: Mapped[str | None] = mapped_column(Text)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cleared_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    cleared_reason: Mapped[str | None] = mapped_column(Text)


class GuardEvent(Base):
    """A sentence the content guard blocked (and the safe line said instead), for review.

    The sentence is kept as the transcript has it (the debtor's name masked) and encrypted:
    officers need the wording to fix the script or the LLM prompt that produced it.
    """

    __tablename__ = "guard_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    script_version_id: Mapped[int | None] = mapped_column(ForeignKey("script_version.id"))
    node: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    contexts: Mapped[str] = mapped_column(String(64))  # space-separated guard contexts
    categories: Mapped[str] = mapped_column(String(200))  # space-separated categories
    text: Mapped[str] = mapped_column(EncryptedText())


class AllowedTestNumber(Base):
    """A number an administrator allows `huikuan call` to dial outside any debtor's file: the
    floor's own test phones and PBX extensions. Never a debtor's contact (refused when added)."""

    __tablename__ = "test_number"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(EncryptedText())  # as dialled (E.164 when it is a phone number)
    number_key: Mapped[str] = mapped_column(String(32), index=True)  # blind index, as contacts'
    label: Mapped[str] = mapped_column(String(100))
    added_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
