"""All SQL of the voice package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.voice.models import Recording


def add_recording(session: Session, recording: Recording) -> Recording:
    session.add(recording)
    session.flush()
    return recording


def recordings_for_attempt(session: Session, attempt_id: int) -> list[Recording]:
    return list(session.scalars(select(Recording).where(Recording.attempt_id == attempt_id)))


def recordings_created_before(session: Session, cutoff: datetime) -> list[Recording]:
    stmt = select(Recording).where(Recording.created_at < cutoff).order_by(Recording.id)
    return list(session.scalars(stmt))


def delete_recording(session: Session, recording: Recording) -> None:
    session.delete(recording)
    session.flush()
