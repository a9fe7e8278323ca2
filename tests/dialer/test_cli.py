"""`huikuan campaign …` and `huikuan sim day` as an operator runs them."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from huikuan.dialer.models import Campaign
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import Ran, huikuan
from tests.operators import operator_env

_OPERATORS: dict[str, dict[str, str]] = {}  # test database URL → env acting as its supervisor


def _huikuan(db: TestDatabase, *args: str) -> Ran:
    env = _OPERATORS.get(db.url) or _OPERATORS.setdefault(db.url, operator_env(db))
    return huikuan(args, env={**env, "COLUMNS": "200"})


def test_campaign_commands_create_start_pause_and_report(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=8, seed=1, as_of=date(2026, 3, 10))
        s.commit()
        batch_id = batch.id
    wide = _huikuan(
        db, "campaign", "create", "--name", "x", "--batch", str(batch_id), "--window-end", "23:00"
    )
    assert wide.returncode == 2
    assert wide.stderr.count("\n") == 1
    assert "08:00–22:00" in wide.stderr
    created = _huikuan(
        db, "campaign", "create", "--name", "春季", "--batch", str(batch_id), "--robots", "2",
        "--caller-id", "+861012345:300", "--retry", '{"busy_delay": 300}',
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    campaign_id = created.stdout.strip().rsplit(" ", 1)[-1]
    started = _huikuan(db, "campaign", "start", campaign_id)
    assert started.returncode == 0, started.stderr
    assert "活动已开始 / campaign started" in started.stdout
    assert _huikuan(db, "campaign", "pause", campaign_id).returncode == 0
    status = _huikuan(db, "campaign", "status", campaign_id, "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["status"] == "paused"
    assert report["tasks"]["queued"] > 0
    assert report["attempts"] == 0
    again = _huikuan(db, "campaign", "pause", campaign_id)
    assert again.returncode == 2
    assert "cannot become paused" in again.stderr


def test_an_agent_campaign_can_turn_robot_overflow_off(db: TestDatabase) -> None:
    with db.session() as s:
        batch_id = factories.portfolio(s, accounts=4, seed=2, as_of=date(2026, 3, 10)).id
        s.commit()
    made = {}
    for flag in ("--robot-overflow", "--no-robot-overflow"):
        created = _huikuan(
            db, "campaign", "create", "--name", flag, "--batch", str(batch_id), "--mode", "predictive", flag
        )
        assert created.returncode == 0, created.stderr
        made[flag] = int(created.stdout.strip().rsplit(" ", 1)[-1])
    with db.session() as s:
        overflow = {
            flag: s.scalar(select(Campaign.robot_overflow).where(Campaign.id == cid))
            for flag, cid in made.items()
        }
    assert overflow == {"--robot-overflow": True, "--no-robot-overflow": False}


def test_sim_day_leaves_its_attempts_for_export(db: TestDatabase) -> None:
    day = _huikuan(db, "sim", "day", "--accounts", "40", "--robots", "2", "--date", "2026-03-10")
    assert day.returncode == 0, day.stderr[-2000:]
    assert "模拟外呼日完成 / simulated day done" in day.stdout
    exported = _huikuan(db, "export", "attempts")
    assert exported.returncode == 0, exported.stderr[-2000:]
    records = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    assert len(records) > 40
    assert len({r["robot_id"] for r in records}) == 2
