"""An account with everything the account page shows: the seeded history (tests/outcomes/seed.py)
plus transcript turns that speak the debtor's name and number, an encrypted recording, a
profile, an allowed decision, a plan, a payment and a stop; and a few more accounts to search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from huikuan.compliance import service as compliance_service
from huikuan.compliance.models import Decision
from huikuan.compliance.schemas import StopKind
from huikuan.outcomes.models import InstallmentPlan, Turn
from huikuan.portfolio.models import Account, Payment
from huikuan.profiling.models import AccountProfile, ProfilingModel
from huikuan.voice.audio import FRAME_SAMPLES
from huikuan.voice.recording import DEBTOR, ROBOT, CallRecorder
from tests import factories
from tests.outcomes.seed import NAME, PHONE, T0, seed_history

MODEL_VERSION = "propensity-test-1"


@dataclass
class Floor:
    account_id: int
    debtor_id: int
    attempt_id: int  # the answered one, with turns and a recording
    recording_id: int
    wav: bytes
    other_account_ids: list[int]  # another creditor's accounts, one per bucket M1..M4
    other_creditor_id: int
    stopped_account_id: int


def seed_floor(session: Session, data_dir: Path) -> Floor:
    seeded = seed_history(session)
    attempt_id = seeded.attempt_ids[1]
    account = session.query(Account).filter_by(debtor_id=seeded.debtor_id).one()
    spoken = PHONE.removeprefix("+86")
    turns = [
        ("robot", f"您好，请问是{NAME}本人吗？"),
        ("debtor", "是我。"),
        ("robot", f"我们将向尾号为 {spoken} 的号码发送还款信息。"),
        ("debtor", "好的，我周五还。"),
    ]
    for seq, (speaker, text) in enumerate(turns, start=1):
        session.add(
            Turn(
                attempt_id=attempt_id,
                seq=seq,
                speaker=speaker,
                text=text,
                at=T0 + timedelta(minutes=120, seconds=seq * 5),
            )
        )
    recorder = CallRecorder(attempt_id, T0 + timedelta(minutes=120))
    tone = (3000 * np.sin(np.arange(FRAME_SAMPLES) * 2 * np.pi * 440 / 8000)).astype(np.int16)
    for _ in range(50):
        recorder.add(ROBOT, tone.astype("<i2").tobytes())
    for _ in range(25):
        recorder.add(DEBTOR, (-tone).astype("<i2").tobytes())
    recorder.mark_turn("robot", 0.0, 1.0)
    recording = recorder.save(session, data_dir)
    session.add(
        Decision(
            at=T0 + timedelta(minutes=119),
            debtor_id=seeded.debtor_id,
            contact_id=None,
            jurisdiction="CN",
            channel="voice",
            allowed=True,
            rule=None,
            reason="allowed / 允许",
        )
    )
    session.add(
        InstallmentPlan(
            account_id=account.id,
            attempt_id=attempt_id,
            terms=3,
            amount_per_term=40_000,
            waiver=50,
            first_due=date(2026, 3, 10),
            status="agreed",
            created_at=T0 + timedelta(minutes=122),
        )
    )
    session.add(
        Payment(account_id=account.id, amount=40_000, paid_at=T0 + timedelta(days=3), source="import")
    )
    session.add(
        ProfilingModel(version=MODEL_VERSION, kind="propensity", trained_at=T0, rows=100, positives=30)
    )
    session.flush()
    session.add(
        AccountProfile(
            account_id=account.id,
            debtor_id=seeded.debtor_id,
            computed_at=T0,
            feature_version="f1",
            features={},
            segment="forgetful",
            segment_source="rules",
            segment_confidence=0.8,
            explanation_zh="按时接听并承诺还款：遗忘型",
            explanation_en="Answers and promises: forgetful",
            best_hours=[10, 19],
            propensity=0.42,
            propensity_version=MODEL_VERSION,
        )
    )
    # Another creditor's accounts, one per bucket, with growing amounts and days.
    batch = factories.creditor_and_batch(session)
    others = []
    for i, (bucket, days) in enumerate((("M1", 10), ("M2", 45), ("M3", 75), ("M4", 100))):
        debtor = factories.debtor(session, name="李四")
        factories.contact(session, debtor)
        a = factories.account(session, debtor, batch, overdue=100_000 * (i + 1), as_of=date(2026, 3, 1))
        a.bucket, a.days_past_due = bucket, days
        others.append(a)
    others[0].status = "paid"
    session.flush()
    stopped = others[3]
    compliance_service.open_stop(session, stopped.debtor_id, StopKind.COMPLAINT, T0)
    session.flush()
    return Floor(
        account_id=account.id,
        debtor_id=seeded.debtor_id,
        attempt_id=attempt_id,
        recording_id=recording.id,
        wav=recorder.wav(),
        other_account_ids=[a.id for a in others],
        other_creditor_id=batch.creditor_id,
        stopped_account_id=stopped.id,
    )
