from __future__ import annotations

import hashlib
import io
import json
import shutil
import wave
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.outcomes.models import CallAttempt
from huikuan.security.models import AuditEvent
from huikuan.voice.audio import FRAME_SAMPLES, SAMPLE_RATE
from huikuan.voice.models import Recording
from huikuan.voice.recording import (
    DEBTOR,
    ROBOT,
    CallRecorder,
    RecordingUnreadable,
    delete_expired_recordings,
    expired_recordings,
    read_wav,
    retention_cutoff,
    verify,
)
from huikuan.voice.repository import recordings_for_attempt
from tests import factories

ANSWERED = datetime(2026, 3, 9, 2, 30, tzinfo=UTC)


def _attempt(session: Session) -> CallAttempt:
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session)
    contact = factories.contact(session, debtor)
    account = factories.account(session, debtor, batch, as_of=date(2026, 3, 1))
    attempt = CallAttempt(
        account_id=account.id,
        debtor_id=debtor.id,
        contact_id=contact.id,
        started_at=ANSWERED,
        status="answered",
    )
    session.add(attempt)
    session.flush()
    return attempt


def test_recording_writes_stereo_wav_linked_to_the_attempt(session: Session, tmp_path: Path) -> None:
    attempt = _attempt(session)
    recorder = CallRecorder(attempt.id, ANSWERED)
    robot = np.full(FRAME_SAMPLES, 1000, dtype=np.int16)
    debtor = np.full(FRAME_SAMPLES, -2000, dtype=np.int16)
    for _ in range(50):  # the robot speaks for the first second
        recorder.add(ROBOT, robot.astype("<i2").tobytes())
    recorder.mark_turn(ROBOT, 0.0, 1.0)
    for k in range(25):  # the debtor answers from 1.5 s to 2.0 s
        recorder.add(DEBTOR, debtor, at_seconds=1.5 + k * 0.02)
    recorder.mark_turn(DEBTOR, 1.5, 2.0)
    row = recorder.save(session, tmp_path)
    session.commit()

    assert row.path == f"recordings/2026/03/09/attempt-{attempt.id}.wav.enc"
    path = tmp_path / row.path
    assert not path.read_bytes().startswith(b"RIFF")  # sealed at rest, not a WAV anyone can play
    with wave.open(io.BytesIO(read_wav(row, tmp_path)), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, SAMPLE_RATE)
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    assert len(samples) == 2 * SAMPLE_RATE
    assert row.seconds == pytest.approx(2.0)
    left, right = samples[:, 0], samples[:, 1]
    assert (left[:SAMPLE_RATE] == 1000).all()
    assert (left[SAMPLE_RATE:] == 0).all()
    assert (right[: int(1.5 * SAMPLE_RATE)] == 0).all()
    assert (right[int(1.5 * SAMPLE_RATE) :] == -2000).all()
    assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert verify(row, tmp_path)
    assert json.loads(row.turns) == [
        {"seq": 1, "speaker": "robot", "start": 0.0, "end": 1.0},
        {"seq": 2, "speaker": "debtor", "start": 1.5, "end": 2.0},
    ]
    assert [r.id for r in recordings_for_attempt(session, attempt.id)] == [row.id]

    path.write_bytes(path.read_bytes()[:-2] + b"\x00\x01")
    assert not verify(row, tmp_path)
    with pytest.raises(RecordingUnreadable, match="altered"):
        read_wav(row, tmp_path)


def _recorded(session: Session, attempt: CallAttempt, answered: datetime, data_dir: Path) -> Recording:
    recorder = CallRecorder(attempt.id, answered)
    recorder.add(ROBOT, np.full(FRAME_SAMPLES, 500, dtype=np.int16))
    return recorder.save(session, data_dir)


def test_a_sealed_recording_moved_in_place_of_another_does_not_open(session: Session, tmp_path: Path) -> None:
    first = _recorded(session, _attempt(session), ANSWERED, tmp_path)
    second = _recorded(session, _attempt(session), ANSWERED, tmp_path)
    assert read_wav(second, tmp_path).startswith(b"RIFF")
    shutil.copy(tmp_path / first.path, tmp_path / second.path)
    with pytest.raises(RecordingUnreadable):
        read_wav(second, tmp_path)


def test_an_unsealed_recording_is_a_plain_wav(session: Session, tmp_path: Path) -> None:
    recorder = CallRecorder(_attempt(session).id, ANSWERED)
    recorder.add(ROBOT, np.full(FRAME_SAMPLES, 500, dtype=np.int16))
    row = recorder.save(session, tmp_path, encrypt=False)
    assert row.path.endswith(".wav")
    assert (tmp_path / row.path).read_bytes() == read_wav(row, tmp_path)
    assert read_wav(row, tmp_path).startswith(b"RIFF")


def test_retention_deletes_only_expired_recordings_with_an_audit_event(
    session: Session, tmp_path: Path
) -> None:
    now = datetime(2031, 6, 1, 12, tzinfo=UTC)
    attempt = _attempt(session)
    old = _recorded(session, attempt, now - timedelta(days=6 * 366), tmp_path)
    young = _recorded(session, _attempt(session), now - timedelta(days=4 * 365), tmp_path)
    old.created_at = now - timedelta(days=6 * 366)
    young.created_at = now - timedelta(days=4 * 365)
    session.flush()
    old_id, old_path = old.id, tmp_path / old.path
    with pytest.raises(ValueError, match="at least 5 years"):
        delete_expired_recordings(session, tmp_path, now, years=4)
    assert old_path.exists()

    assert delete_expired_recordings(session, tmp_path, now) == 1
    session.commit()

    assert not old_path.exists()
    assert session.get(Recording, old_id) is None
    assert (tmp_path / young.path).exists()
    assert read_wav(young, tmp_path).startswith(b"RIFF")
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "recording.deleted")).all()
    assert [(e.entity_id, e.details["attempt_id"]) for e in events] == [(str(old_id), attempt.id)]
    assert delete_expired_recordings(session, tmp_path, now) == 0  # nothing left to delete


def test_retention_lists_only_recordings_older_than_five_years(session: Session) -> None:
    attempt = _attempt(session)
    now = datetime(2031, 6, 1, 12, tzinfo=UTC)
    ages = {"old": now - timedelta(days=6 * 366), "edge_young": retention_cutoff(now) + timedelta(seconds=1)}
    ages |= {"edge_old": retention_cutoff(now) - timedelta(seconds=1), "young": now - timedelta(days=4 * 365)}
    for name, created in ages.items():
        session.add(
            Recording(
                attempt_id=attempt.id, path=f"r/{name}.wav", seconds=1.0, sha256="0" * 64, created_at=created
            )
        )
    session.flush()
    assert sorted(r.path for r in expired_recordings(session, now)) == ["r/edge_old.wav", "r/old.wav"]
    with pytest.raises(ValueError, match="at least 5 years"):
        expired_recordings(session, now, years=3)


def test_retention_cutoff_on_29_february() -> None:
    assert retention_cutoff(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2023, 2, 28, tzinfo=UTC)


def test_recorder_refuses_a_naive_answer_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CallRecorder(1, datetime(2026, 3, 9, 10, 0))


def test_recorder_refuses_audio_before_the_answer() -> None:
    recorder = CallRecorder(1, ANSWERED)
    with pytest.raises(ValueError, match="before the answer"):
        recorder.add(ROBOT, np.zeros(FRAME_SAMPLES, dtype=np.int16), at_seconds=-0.02)
