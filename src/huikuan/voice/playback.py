"""Playing recordings back: which attempts have one, and a recording's audio opened with the data
key in memory (files stay sealed on disk; the plain WAV is never written anywhere).

Who may play and the audit event of each play are the caller's (the console's route), as for a
reveal: this module only reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.errors import NotFound
from huikuan.voice.models import Recording
from huikuan.voice.recording import read_wav


@dataclass(frozen=True, slots=True)
class RecordingView:
    id: int
    attempt_id: int
    seconds: float


def recordings_of(session: Session, attempt_ids: Sequence[int]) -> dict[int, RecordingView]:
    """attempt id → its recording, for those of `attempt_ids` that have one."""
    if not attempt_ids:
        return {}
    rows = session.scalars(
        select(Recording).where(Recording.attempt_id.in_(list(attempt_ids))).order_by(Recording.id)
    )
    return {r.attempt_id: RecordingView(r.id, r.attempt_id, r.seconds) for r in rows}


@dataclass(frozen=True, slots=True)
class Audio:
    recording_id: int
    attempt_id: int
    wav: bytes


def recording_audio(session: Session, recording_id: int, data_dir: Path) -> Audio:
    """The recording's WAV bytes, decrypted; NotFound for an unknown id."""
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFound(f"没有录音 / no recording {recording_id}")
    return Audio(recording.id, recording.attempt_id, read_wav(recording, data_dir))
