"""Call recordings: one stereo WAV per answered call, linked to its attempt (CN.RECORD)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime


class Recording(Base):
    """Where a call's audio is (relative to the data dir), how long, and its digest."""

    __tablename__ = "recording"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    seconds: Mapped[float] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64))
    # JSON list of {"seq", "speaker", "start", "end"} (seconds into the recording); the words
    # are in the attempt's `turn` rows, not repeated here.
    turns: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
