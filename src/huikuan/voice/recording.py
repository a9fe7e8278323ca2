"""Record both directions of an answered call to one stereo WAV (left robot, right debtor).

The carrier hands every 20 ms frame it sends and receives to a `CallRecorder`; each channel
is a timeline in samples from the answer, so a frame given with its offset lands where it
was heard even when one side was silent (no frames) for a while. `save` writes
`data_dir/recordings/YYYY/MM/DD/attempt-<id>.wav.enc` (the WAV sealed with AES-256-GCM under the
data key, its path authenticated with it: a recording is personal information at rest) and the
`recording` row in the caller's transaction; `read_wav` opens it again.
CN.RECORD keeps recordings at least 5 years: `expired_recordings` lists only older ones and
`delete_expired_recordings` removes them (file, row, and an audit event each); a younger one is
never touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import wave
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import Session

from huikuan.errors import HuikuanError
from huikuan.security import audit, crypto
from huikuan.voice import repository
from huikuan.voice.audio import SAMPLE_RATE, Pcm, as_pcm
from huikuan.voice.models import Recording

RETENTION_YEARS = 5  # CN.RECORD (compliance/packs/cn.yaml, retention_years); the strictest pack
ROBOT, DEBTOR = "robot", "debtor"
SEALED = ".enc"


class RecordingUnreadable(HuikuanError):
    """A recording file is missing, altered, or sealed under another key or path."""

    status_code = 500


@dataclass(frozen=True, slots=True)
class TurnMark:
    seq: int
    speaker: str
    start: float
    end: float


class _Track:
    def __init__(self) -> None:
        self.chunks: list[tuple[int, Pcm]] = []
        self.end = 0  # samples

    def add(self, pcm: Pcm, at: int | None) -> None:
        start = self.end if at is None else at
        self.chunks.append((start, pcm))
        self.end = max(self.end, start + len(pcm))

    def render(self, length: int) -> Pcm:
        out = np.zeros(length, dtype=np.int16)
        for start, pcm in self.chunks:
            out[start : start + len(pcm)] = pcm[: max(0, length - start)]
        return out


class CallRecorder:
    """Collects a call's two directions and turn timestamps, then saves them for the attempt."""

    def __init__(self, attempt_id: int, answered_at: datetime) -> None:
        if answered_at.tzinfo is None:
            raise ValueError("answered_at must be timezone-aware")
        self.attempt_id = attempt_id
        self.answered_at = answered_at
        self._tracks = {ROBOT: _Track(), DEBTOR: _Track()}
        self.turns: list[TurnMark] = []

    def add(self, direction: str, frame: bytes | Pcm, at_seconds: float | None = None) -> None:
        """Audio of one direction; `at_seconds` from the answer, or right after the last frame."""
        if at_seconds is not None and at_seconds < 0:
            raise ValueError("audio cannot start before the answer")
        at = None if at_seconds is None else round(at_seconds * SAMPLE_RATE)
        self._tracks[direction].add(as_pcm(frame), at)

    def mark_turn(self, speaker: str, start: float, end: float) -> None:
        """A transcript turn's start and end, seconds from the answer (seq follows the calls)."""
        self.turns.append(TurnMark(len(self.turns) + 1, speaker, round(start, 3), round(end, 3)))

    @property
    def seconds(self) -> float:
        return max(t.end for t in self._tracks.values()) / SAMPLE_RATE

    def stereo(self) -> Pcm:
        """Interleaved int16 samples: left robot, right debtor."""
        length = max(t.end for t in self._tracks.values())
        left = self._tracks[ROBOT].render(length)
        right = self._tracks[DEBTOR].render(length)
        return np.column_stack([left, right]).reshape(-1)

    def wav(self) -> bytes:
        """The stereo WAV file's bytes."""
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(self.stereo().astype("<i2").tobytes())
        return out.getvalue()

    def save(self, session: Session, data_dir: Path, *, encrypt: bool = True) -> Recording:
        """Write the WAV (sealed unless `encrypt=False`) and its `recording` row (the caller commits)."""
        day = self.answered_at.astimezone(UTC)
        name = f"attempt-{self.attempt_id}.wav" + (SEALED if encrypt else "")
        relative = Path("recordings") / f"{day:%Y/%m/%d}" / name
        path = data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.wav()
        if encrypt:
            data = crypto.cipher().encrypt_bytes(data, relative.as_posix().encode())
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        digest = hashlib.sha256(data).hexdigest()
        turns = [{"seq": t.seq, "speaker": t.speaker, "start": t.start, "end": t.end} for t in self.turns]
        row = Recording(
            attempt_id=self.attempt_id,
            path=relative.as_posix(),
            seconds=round(self.seconds, 3),
            sha256=digest,
            turns=json.dumps(turns),
            created_at=datetime.now(UTC),
        )
        return repository.add_recording(session, row)


def retention_cutoff(now: datetime, years: int = RETENTION_YEARS) -> datetime:
    """The instant `years` calendar years before `now` (29 February falls back to the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def expired_recordings(session: Session, now: datetime, years: int = RETENTION_YEARS) -> list[Recording]:
    """Recordings older than the retention period; a younger one is never listed."""
    if years < RETENTION_YEARS:
        raise ValueError(f"recordings are kept at least {RETENTION_YEARS} years (CN.RECORD)")
    return repository.recordings_created_before(session, retention_cutoff(now, years))


def read_wav(recording: Recording, data_dir: Path) -> bytes:
    """The recording as WAV bytes, opened with the data key when it is sealed."""
    path = data_dir / recording.path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordingUnreadable(f"recording {recording.id}: file not readable") from exc
    if not recording.path.endswith(SEALED):
        return data
    try:
        return crypto.cipher().decrypt_bytes(data, recording.path.encode())
    except InvalidTag as exc:
        raise RecordingUnreadable(f"recording {recording.id}: altered or sealed under another key") from exc


def delete_expired_recordings(
    session: Session, data_dir: Path, now: datetime, *, years: int = RETENTION_YEARS, actor: str = "retention"
) -> int:
    """Delete recordings past the retention period: file, row, and an audit event for each.

    In the caller's transaction. Files go first: if the transaction then fails, the rows stay and
    the next run deletes them (a missing file is not an error), so nothing is kept past its time.
    """
    expired = expired_recordings(session, now, years)
    for recording in expired:
        (data_dir / recording.path).unlink(missing_ok=True)
        audit.append(
            session,
            at=now,
            actor=actor,
            action="recording.deleted",
            entity="recording",
            entity_id=recording.id,
            details={"attempt_id": recording.attempt_id, "created_at": recording.created_at.isoformat()},
        )
        repository.delete_recording(session, recording)
    return len(expired)


def verify(recording: Recording, data_dir: Path) -> bool:
    """Whether the file on disk still has the digest recorded when it was saved."""
    path = data_dir / recording.path
    return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == recording.sha256
