"""Campaigns: what to call, with which treatment, how many robots, in which window."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|running|paused|done
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"))
    script_version_id: Mapped[int | None] = mapped_column(ForeignKey("script_version.id"))
    robots: Mapped[int] = mapped_column(Integer, default=1)
    window_start: Mapped[time] = mapped_column(Time, default=time(8))
    window_end: Mapped[time] = mapped_column(Time, default=time(22))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
