from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from huikuan.outcomes.export import EXPORT_KEYS, iter_attempt_records, write_jsonl
from huikuan.security.users import Role
from tests.conftest import TestDatabase
from tests.invoke import huikuan
from tests.operators import operator_env
from tests.outcomes.seed import NAME, PHONE, T0, seed_history


def test_each_record_has_exactly_the_published_keys(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
        records = list(iter_attempt_records(s))
    assert [r["attempt_id"] for r in records] == seeded.attempt_ids
    assert all(tuple(r) == EXPORT_KEYS for r in records)
    ptp = records[1]
    assert (ptp["ptp_amount"], ptp["ptp_date"], ptp["disposition"]) == (1200.5, "2026-03-06", "ptp")
    assert ptp["conversation"] is True
    assert ptp["talk_seconds"] == 95
    assert ptp["script_version"] == "reminder@3"
    assert ptp["started_at"] == "2026-03-02T03:00:00+00:00"
    assert records[0]["ptp_amount"] is None
    assert records[0]["relation"] == "self"
    assert records[0]["debtor_timezone"] == "Asia/Shanghai"
    assert records[0]["jurisdiction"] == "CN"


def test_export_never_contains_personal_data(db: TestDatabase) -> None:
    with db.session() as s:
        seed_history(s)
        out = io.StringIO()
        assert write_jsonl(iter_attempt_records(s), out) == 4
    text = out.getvalue()
    assert PHONE not in text
    assert PHONE[3:] not in text
    assert NAME not in text
    assert len({json.loads(line)["number_key"] for line in text.splitlines()}) == 1


def test_since_until_select_a_half_open_range(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        since = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # the second attempt's start, inclusive
        until = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # the fourth attempt's start, exclusive
        ids = [r["attempt_id"] for r in iter_attempt_records(s, since, until)]
    assert ids == seeded.attempt_ids[1:3]


def test_cli_exports_jsonl_and_rejects_a_bad_date(db: TestDatabase) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    cli = ["export", "attempts"]
    env = operator_env(db)
    agent = huikuan(cli, env=operator_env(db, Role.AGENT))
    assert agent.returncode == 2
    assert "may not export" in agent.stderr
    done = huikuan([*cli, "--since", T0.isoformat()], env=env)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["outcome"] for line in done.stdout.splitlines()] == [
        "no_answer",
        "answered",
        "answered",
        "busy",
    ]
    bad = huikuan([*cli, "--since", "yesterday"], env=env)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: --since is not an ISO 8601 date or date-time: 'yesterday'"
    ]
