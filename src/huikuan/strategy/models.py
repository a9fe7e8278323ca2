"""Stored strategy versions (drafts, submissions, the one approved strategy, their history) and
champion/challenger experiments with each account's stored arm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime


class StrategyVersion(Base):
    __tablename__ = "strategy_version"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        # One strategy drives the floor: at most one approved version at a time.
        Index(
            "uq_strategy_version_one_approved",
            "status",
            unique=True,
            sqlite_where=text("status = 'approved'"),
            postgresql_where=text("status = 'approved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String(16), default="draft"
    )  # draft|submitted|approved|rejected|retired
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str | None] = mapped_column(String(500))


class StrategyExperiment(Base):
    """A champion/challenger experiment: proposed by a strategist, approved by a compliance
    officer (it lets the challenger drive a share of the calls), stopped by either."""

    __tablename__ = "strategy_experiment"
    __table_args__ = (
        # At most one experiment runs: every account has one arm at a time.
        Index(
            "uq_strategy_experiment_one_running",
            "status",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed|running|stopped|rejected
    # None: the shipped strategy was the champion when the experiment was proposed.
    champion_version_id: Mapped[int | None] = mapped_column(ForeignKey("strategy_version.id"))
    challenger_version_id: Mapped[int] = mapped_column(ForeignKey("strategy_version.id"))
    challenger_share: Mapped[float] = mapped_column(Float)
    holdout_share: Mapped[float] = mapped_column(Float)
    seed: Mapped[str] = mapped_column(String(32))  # the assignment hash's key, random per experiment
    proposed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str | None] = mapped_column(String(500))
    stopped_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stop_reason: Mapped[str | None] = mapped_column(String(500))


class StrategyAssignment(Base):
    """An account's arm in an experiment, written at its first decision and never changed; the
    bucket, segment and amount owed then are the report's cuts and denominator."""

    __tablename__ = "strategy_assignment"
    __table_args__ = (UniqueConstraint("experiment_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("strategy_experiment.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    arm: Mapped[str] = mapped_column(String(12))  # champion|challenger|holdout
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    bucket: Mapped[str] = mapped_column(String(8))
    segment: Mapped[str | None] = mapped_column(String(16))
    owed: Mapped[int] = mapped_column(BigInteger)  # minor units, at assignment
