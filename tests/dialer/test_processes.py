"""Worker processes on one database: SIGKILL loses nothing and double-dials nothing; SIGTERM
lets the call in progress finish and exits 0.

The workers share a scaled clock (the same start, speed and anchor), set inside the calling
window whatever the hour CI runs at; the simulated carrier's calls take their (scaled) time.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time as walltime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from huikuan.compliance.models import LedgerEntry
from huikuan.dialer import campaigns
from huikuan.dialer.models import Campaign, DialTask, Worker
from huikuan.outcomes.models import CallAttempt
from tests import factories
from tests.conftest import TestDatabase, postgres_only

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
CLOCK_START = datetime(2026, 3, 10, 9, 0, tzinfo=SH)
CAMPAIGN_END = CLOCK_START + timedelta(hours=11)
SHORT_RETRIES = {
    "no_answer_delay": 300,
    "busy_delay": 120,
    "rejected_delay": 300,
    "failed_delay": 60,
    "not_debtor_delay": 300,
    "next_number_delay": 30,
    "max_attempts": 3,
}


def _campaign(db: TestDatabase, *, accounts: int, robots: int) -> int:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=accounts, seed=17, as_of=DAY)
        factories.approved_scripts(s)
        campaign = campaigns.create_campaign(
            s,
            campaigns.CampaignCreate(
                name="kill test",
                batch_id=batch.id,
                robots=robots,
                retry=SHORT_RETRIES,
                ends_at=CAMPAIGN_END,
            ),
            now=CLOCK_START,
        )
        campaigns.start_campaign(s, campaign.id, now=CLOCK_START)
        s.commit()
        return campaign.id


def _spawn(
    db: TestDatabase, campaign_id: int, worker_id: str, *, speed: float, anchor: float
) -> subprocess.Popen[bytes]:
    args = [
        sys.executable, "-m", "huikuan", "worker", "--campaign", str(campaign_id), "--lines", "3",
        "--clock-start", CLOCK_START.isoformat(), "--clock-speed", str(speed), "--clock-anchor", str(anchor),
        "--lease-seconds", str(6 * speed), "--exit-when-done", "--worker-id", worker_id,
    ]  # fmt: skip
    return subprocess.Popen(args, env=db.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll the database (never a fixed sleep for timing) until `condition` holds."""
    deadline = walltime.monotonic() + timeout
    while not condition():
        if walltime.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        walltime.sleep(0.1)  # polling interval, not a timing assumption


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:  # a failed test must not leave workers behind
        if p.poll() is None:
            p.kill()
        p.communicate(timeout=10)  # reap it and close its pipe


def _attempts_of(db: TestDatabase, worker_id: str, status: str) -> int:
    with db.session() as s:
        return int(
            s.scalar(
                select(func.count()).where(
                    CallAttempt.robot_id.like(f"{worker_id}/%"), CallAttempt.status == status
                )
            )
            or 0
        )


@postgres_only  # several worker processes share PostgreSQL; SQLite serves one worker
def test_sigkill_of_one_worker_loses_no_attempt_and_breaks_no_cap(
    db: TestDatabase, workers: list[subprocess.Popen[bytes]]
) -> None:
    campaign_id = _campaign(db, accounts=100, robots=12)
    anchor = walltime.time()
    workers.extend(_spawn(db, campaign_id, f"kw{i}", speed=150, anchor=anchor) for i in range(4))
    victim = workers[0]
    _wait_for(
        lambda: _attempts_of(db, "kw0", "completed") >= 3 and _attempts_of(db, "kw0", "reserved") >= 1,
        120,
        "the first worker to commit attempts and be mid-call",
    )
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    with db.session() as s:  # its calls in flight (reserved, committed before the dial)
        dangling = set(
            s.scalars(
                select(CallAttempt.id).where(
                    CallAttempt.robot_id.like("kw0/%"), CallAttempt.status == "reserved"
                )
            )
        )
    assert dangling
    for p in workers[1:]:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out.decode(errors="replace")[-2000:]

    with db.session() as s:
        campaign = s.get(Campaign, campaign_id)
        attempts = s.scalars(select(CallAttempt).order_by(CallAttempt.started_at)).all()
        ledger = s.scalars(select(LedgerEntry)).all()
        open_tasks = s.scalar(
            select(func.count()).where(DialTask.state != "done", DialTask.due_at < CAMPAIGN_END)
        )
        lost = s.get(Worker, "kw0")
    assert campaign is not None
    assert campaign.status == "done"
    assert open_tasks == 0
    assert lost is not None
    assert lost.status == "lost"
    # Every attempt recorded exactly once: attempts and ledger entries 1:1, none left reserved.
    assert all(a.status in ("completed", "failed") for a in attempts)
    assert sorted(e.attempt_id or 0 for e in ledger) == sorted(a.id for a in attempts)
    assert all(e.outcome is not None for e in ledger)
    assert any(a.robot_id and a.robot_id.startswith("kw0/") for a in attempts)
    # The dead worker's calls in flight were closed as failed, not deleted: the dial may have happened.
    assert {a.id: a.status for a in attempts if a.id in dangling} == dict.fromkeys(dangling, "failed")
    # No double dial: a debtor's calls never overlap in time.
    by_debtor: dict[int, list[CallAttempt]] = defaultdict(list)
    for a in attempts:
        by_debtor[a.debtor_id].append(a)
    for calls in by_debtor.values():
        for before, after in pairwise(calls):
            assert before.ended_at is not None
            assert after.started_at >= before.ended_at
    # No contact exceeds a cap: dials per number per local day, conversations per debtor per day.
    dials = Counter((e.number_key, e.at.astimezone(SH).date()) for e in ledger)
    conversations = Counter((e.debtor_id, e.at.astimezone(SH).date()) for e in ledger if e.conversation)
    assert max(dials.values()) <= 6
    assert max(conversations.values()) <= 3


def test_sigterm_finishes_the_call_in_progress_and_exits_0(
    db: TestDatabase, workers: list[subprocess.Popen[bytes]]
) -> None:
    campaign_id = _campaign(db, accounts=20, robots=3)
    workers.append(_spawn(db, campaign_id, "tw", speed=10, anchor=walltime.time()))
    _wait_for(lambda: _attempts_of(db, "tw", "reserved") >= 1, 120, "a call in progress")
    with db.session() as s:
        in_progress = s.scalars(select(CallAttempt.id).where(CallAttempt.status == "reserved")).all()
    workers[0].send_signal(signal.SIGTERM)
    out, _ = workers[0].communicate(timeout=120)
    assert workers[0].returncode == 0, out.decode(errors="replace")[-2000:]
    with db.session() as s:
        finished = {
            a.id: a.status for a in s.scalars(select(CallAttempt).where(CallAttempt.id.in_(in_progress)))
        }
        leased = s.scalar(select(func.count()).where(DialTask.state == "leased"))
        reserved = s.scalar(select(func.count()).where(CallAttempt.status == "reserved"))
        worker = s.get(Worker, "tw")
    assert finished
    assert set(finished.values()) == {"completed"}
    assert leased == 0
    assert reserved == 0
    assert worker is not None
    assert worker.status == "stopped"
