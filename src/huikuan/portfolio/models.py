"""Portfolio tables: creditors, batches (委案批次), debtors, contacts, accounts, payments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huikuan.db import Base, UTCDateTime
from huikuan.security.crypto import EncryptedText


class Creditor(Base):
    __tablename__ = "creditor"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # What the robot asks after the name, before any disclosure (types.KnowledgeCheck).
    knowledge_check: Mapped[str] = mapped_column(String(16), default="none", server_default="none")


class Batch(Base):
    """One assignment of accounts from a creditor (委案批次), usually one imported file."""

    __tablename__ = "batch"
    __table_args__ = (UniqueConstraint("creditor_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)


class ImportRowError(Base):
    """One row-level problem of an imported file, kept so the error file can be downloaded later.
    Column keys and fixed reasons only: never the cell's content (it may be personal data)."""

    __tablename__ = "import_row_error"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))


class Debtor(Base):
    __tablename__ = "debtor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(EncryptedText())
    national_id: Mapped[str | None] = mapped_column(EncryptedText())
    # Blind index of the national ID (or of name+primary number when there is none): dedupe key.
    identity_key: Mapped[str] = mapped_column(String(32), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(100))
    dialect: Mapped[str] = mapped_column(String(16), default="cmn")
    timezone: Mapped[str] = mapped_column(String(64))
    # Further candidate zones, space-separated (a US area code spanning zones, numbers in several).
    other_timezones: Mapped[str] = mapped_column(String(400), default="", server_default="")
    # Prior express consent to artificial-voice (robot) calls: needed under the US pack (TCPA).
    ai_voice_consent: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Bumped by every compliance reservation: the portable per-debtor lock (see compliance).
    contact_seq: Mapped[int] = mapped_column(Integer, default=0)

    contacts: Mapped[list[Contact]] = relationship(back_populates="debtor", order_by="Contact.id")
    accounts: Mapped[list[Account]] = relationship(back_populates="debtor", order_by="Account.id")


class Contact(Base):
    """A phone number to reach the debtor or someone related to them."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("debtor_id", "number_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    number: Mapped[str] = mapped_column(EncryptedText())  # E.164
    number_key: Mapped[str] = mapped_column(String(32), index=True)  # blind index of the number
    relation: Mapped[str] = mapped_column(String(32))  # types.Relation
    name: Mapped[str | None] = mapped_column(EncryptedText())  # of a third party
    status: Mapped[str] = mapped_column(String(16), default="unknown")  # types.ContactStatus
    refused_contact: Mapped[bool] = mapped_column(default=False)  # a third party said "never again"

    debtor: Mapped[Debtor] = relationship(back_populates="contacts")


class Account(Base):
    """One loan in collection."""

    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("creditor_id", "loan_ref"),
        # The console's search: a loan reference alone, and pages sorted by amount or days.
        Index("ix_account_loan_ref", "loan_ref"),
        Index("ix_account_overdue_id", "overdue", "id"),
        Index("ix_account_days_past_due_id", "days_past_due", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    loan_ref: Mapped[str] = mapped_column(String(64))
    product: Mapped[str | None] = mapped_column(String(100))  # the {platform} in scripts
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    principal: Mapped[int] = mapped_column(BigInteger)  # minor units
    outstanding: Mapped[int] = mapped_column(BigInteger)
    overdue: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date] = mapped_column(Date)
    days_past_due: Mapped[int] = mapped_column(Integer)  # as of `as_of`
    as_of: Mapped[date] = mapped_column(Date)
    bucket: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")

    debtor: Mapped[Debtor] = relationship(back_populates="accounts")


class Payment(Base):
    """Money received on an account, as the creditor reports it (a payments file) or the
    simulator makes it. The creditor's transaction reference makes a re-import harmless."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("account_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(32), default="import")
    reference: Mapped[str | None] = mapped_column(String(64))  # the creditor's 还款流水号
