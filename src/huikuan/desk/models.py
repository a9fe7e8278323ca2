"""Desk tables: agents and their state log, transfers from robots, log-in tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime


class Agent(Base):
    """A human agent at the desk: a security user with the agent role, and their current state."""

    __tablename__ = "desk_agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), unique=True)
    # None: the agent serves every campaign's transfers.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="offline")  # schemas.AgentState
    state_since: Mapped[datetime] = mapped_column(UTCDateTime())
    # The agent's SIP phone or softphone (registered at the floor's PBX/proxy), where a robot's
    # live transfer rings; None: transfers reach this agent on screen only.
    phone_uri: Mapped[str | None] = mapped_column(String(255))


class AgentStateChange(Base):
    """Every state change, timestamped: occupancy is computed from this log."""

    __tablename__ = "desk_agent_state"
    __table_args__ = (Index("ix_desk_agent_state_agent_at", "agent_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("desk_agent.id"))
    state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Transfer(Base):
    """A debtor a robot hands to a person: queued, assigned, accepted, then wrapped up."""

    __tablename__ = "desk_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))  # schemas.TransferReason
    segment: Mapped[str | None] = mapped_column(String(32))  # what the robot knew, if anything
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # TransferStatus
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("desk_agent.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    wrapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    wrap_code: Mapped[str | None] = mapped_column(String(24))  # schemas.WrapCode
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)  # the agent's free text: no personal data
    # The live hand-off to the agent's phone (schemas.HandOffResult); None: screen only.
    handoff: Mapped[str | None] = mapped_column(String(16))


class DeskToken(Base):
    """A desk log-in: only the SHA-256 of the bearer token is kept."""

    __tablename__ = "desk_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("desk_agent.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(default=False)
