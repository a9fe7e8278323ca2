"""Profiling tables: each account's latest profile, the models trained, and every treatment decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime


class AccountProfile(Base):
    """An account's profile as last computed: features, segment with its explanation, propensity.

    One row per account, replaced at every refresh; the decisions that used a profile keep
    their own copy of what they read (segment, versions, propensity)."""

    __tablename__ = "account_profile"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    feature_version: Mapped[str] = mapped_column(String(16))
    features: Mapped[dict[str, Any]] = mapped_column(JSON)  # name → value, and the reach tables
    segment: Mapped[str] = mapped_column(String(16), index=True)  # profiling.Segment
    segment_source: Mapped[str] = mapped_column(String(8))  # rules | model
    segment_confidence: Mapped[float] = mapped_column(Float)
    explanation_zh: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    best_hours: Mapped[list[int]] = mapped_column(JSON, default=list)  # local hours, best first
    propensity: Mapped[float | None] = mapped_column(Float)
    propensity_version: Mapped[str | None] = mapped_column(ForeignKey("profiling_model.version"))


class ProfilingModel(Base):
    """A trained model: its version (stored with every decision that used it) and how it did."""

    __tablename__ = "profiling_model"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # propensity | segment
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rows: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # windows, evaluation


class TreatmentDecision(Base):
    """Which treatment a call ran and what it was decided on (segment, propensity, versions)."""

    __tablename__ = "treatment_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("call_attempt.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    bucket: Mapped[str] = mapped_column(String(8))
    segment: Mapped[str | None] = mapped_column(String(16))  # None: no profile yet
    treatment: Mapped[str] = mapped_column(String(32))  # strategy.Treatment
    script: Mapped[str] = mapped_column(String(48))
    feature_version: Mapped[str | None] = mapped_column(String(16))
    profile_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    propensity: Mapped[float | None] = mapped_column(Float)
    propensity_version: Mapped[str | None] = mapped_column(String(64))
    # The approved strategy version that decided (None: the shipped strategy) and its reason:
    # "rule 3", "escalation: human checkpoint at day 6".
    strategy_version_id: Mapped[int | None] = mapped_column(ForeignKey("strategy_version.id"))
    strategy_reason: Mapped[str | None] = mapped_column(String(64))
    # The experiment arm the account was in (champion|challenger|holdout), None: no experiment.
    experiment_arm: Mapped[str | None] = mapped_column(String(12))
