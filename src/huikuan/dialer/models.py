"""Dialer tables: campaigns, the durable work queue (one task per campaign × debtor), workers,
and the daily use of each caller ID."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Time, UniqueConstraint, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.compliance import calling_window
from huikuan.db import Base, UTCDateTime


def _jurisdiction(context: DefaultExecutionContext) -> str:
    params = context.get_current_parameters()  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy
    return str(params["jurisdiction"])


def _pack_start(context: DefaultExecutionContext) -> time:
    return calling_window(_jurisdiction(context)).start


def _pack_end(context: DefaultExecutionContext) -> time:
    return calling_window(_jurisdiction(context)).end


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # CampaignStatus
    mode: Mapped[str] = mapped_column(String(16), default="robot")  # robot | predictive | progressive
    # Agent modes: an answered call with no agent free goes to a robot; off, it is abandoned.
    robot_overflow: Mapped[bool] = mapped_column(default=True)
    # Answering-machine detection on answered calls: a machine hears the voicemail script's
    # limited-content message after its beep, never the collection script (voice.amd).
    amd: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"))
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditor.id"))
    # Targeting: JSON lists (empty: any); segments are stored now and filter once profiling sets them.
    buckets: Mapped[list[str]] = mapped_column(JSON, default=list)
    segments: Mapped[list[str]] = mapped_column(JSON, default=list)
    dpd_min: Mapped[int | None] = mapped_column(Integer)
    dpd_max: Mapped[int | None] = mapped_column(Integer)
    # Treatment: a script name overrides the strategy's choice per bucket; the voice is the TTS voice.
    script_name: Mapped[str | None] = mapped_column(String(64))
    script_version_id: Mapped[int | None] = mapped_column(ForeignKey("script_version.id"))
    lang: Mapped[str] = mapped_column(String(8), default="zh-CN")
    voice: Mapped[str | None] = mapped_column(String(32))
    # What a voicemail asks the person to do (US §1006.2(j)): call this number and ask for this
    # person; the operator's own number and staff name, not personal data of a debtor. Empty: the
    # robot leaves no voicemail line with a hole in it (the engine says the safe line instead).
    callback_number: Mapped[str] = mapped_column(String(32), default="", server_default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    strategy: Mapped[str] = mapped_column(String(32), default="default")
    robots: Mapped[int] = mapped_column(Integer, default=1)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # Inside the rule pack's window (create_campaign checks); unset: the pack's window itself.
    window_start: Mapped[time] = mapped_column(Time, default=_pack_start)
    window_end: Mapped[time] = mapped_column(Time, default=_pack_end)
    # [{"number": "+86...", "daily_limit": 500}, ...]; the operator's numbers, not personal data.
    caller_ids: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    retry: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # overrides of retry.RetryConfig
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Work due after this instant is carried over, not waited for: the campaign is done before it.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# Tasks with at least one compliance denial recorded (an empty JSON object is stored as '{}').
DENIED_TASK = {"postgresql": "CAST(denials AS TEXT) <> '{}'", "sqlite": "denials <> '{}'"}


class DialTask(Base):
    """One debtor of one campaign: when it is due, who holds it, and what today taught us."""

    __tablename__ = "dial_task"
    __table_args__ = (
        UniqueConstraint("campaign_id", "debtor_id", name="uq_dial_task_campaign_debtor"),
        Index("ix_dial_task_state_due", "state", "due_at"),
        # A campaign's page tallies done reasons and denials over its tasks (as many as its batch
        # has accounts): the reasons from this index alone, the denials from the few tasks that
        # have any (the predicate is written out in `repository.denials_by_rule`, the same text).
        Index("ix_dial_task_campaign_done_reason", "campaign_id", "done_reason"),
        Index(
            "ix_dial_task_denied",
            "campaign_id",
            postgresql_where=text(DENIED_TASK["postgresql"]),
            sqlite_where=text(DENIED_TASK["sqlite"]),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    state: Mapped[str] = mapped_column(String(8), default="queued")  # queued | leased | done
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64), index=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[int] = mapped_column(Integer, default=0)  # fencing: +1 at every lease
    # The call in flight, committed before the dial so a dead worker's call can be closed.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"))
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("contact_ledger.id"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    memory: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # retry.TaskMemory
    denials: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # rule → count
    done_reason: Mapped[str | None] = mapped_column(String(32))


class Worker(Base):
    """A `huikuan worker` process; its heartbeat keeps its leases alive."""

    __tablename__ = "dial_worker"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int] = mapped_column(Integer)
    lines: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running | stopping | stopped | lost
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CallerIdUse(Base):
    """Dials placed from one caller ID on one day (the carrier's day, Beijing time for CN)."""

    __tablename__ = "caller_id_use"
    __table_args__ = (UniqueConstraint("caller_id", "day", name="uq_caller_id_use_caller_id_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_id: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    dials: Mapped[int] = mapped_column(Integer, default=0)
