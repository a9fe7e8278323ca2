"""The demo end to end, as a new user runs it: CLI, database, export, audit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from huikuan.outcomes.export import EXPORT_KEYS

BEIJING = ZoneInfo("Asia/Shanghai")


def _huikuan(
    args: list[str], data_dir: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a new user would: only the data directory (and maybe a URL) configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIKUAN_")}
    env["HUIKUAN_DATA_DIR"] = str(data_dir)
    env["XDG_CONFIG_HOME"] = str(data_dir / "config")  # the default key folder, inside the test's
    env["COLUMNS"] = "200"
    if database_url:
        env["HUIKUAN_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )


@pytest.mark.slow
def test_demo_day_runs_exports_and_keeps_the_cn_rules(tmp_path: Path) -> None:
    demo = _huikuan(
        ["demo", "--accounts", "120", "--robots", "2", "--date", "2026-03-10", "--no-serve"], tmp_path
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "拨打次数" in demo.stdout
    assert "Contacts denied by rule" in demo.stdout
    assert (tmp_path / "demo.db").exists()

    records = _export(tmp_path, f"sqlite:///{tmp_path / 'demo.db'}")
    assert len(records) > 100
    assert all(tuple(r) == EXPORT_KEYS for r in records)
    assert len({r["robot_id"] for r in records}) == 2

    dials_per_number: Counter[str] = Counter()
    conversations_per_debtor: Counter[int] = Counter()
    for r in records:
        local = datetime.fromisoformat(r["started_at"]).astimezone(BEIJING)
        assert 8 <= local.hour < 22, r["attempt_id"]
        assert local.date().isoformat() == "2026-03-10"
        assert r["relation"] != "employer"
        dials_per_number[r["number_key"]] += 1
        conversations_per_debtor[r["debtor_id"]] += r["conversation"]
    assert max(dials_per_number.values()) <= 6
    assert max(conversations_per_debtor.values()) <= 3

    export_file = tmp_path / "attempts.jsonl"
    export_file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    audit = _huikuan(["compliance", "audit", str(export_file), "--json"], tmp_path)
    assert audit.returncode == 0, audit.stdout[-2000:]
    summary = json.loads(audit.stdout.splitlines()[-1])
    assert summary["violations"] == 0
    assert summary["attempts"] == len(records)


def _export(data_dir: Path, url: str) -> list[dict[str, object]]:
    done = _huikuan(["export", "attempts"], data_dir, url)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_demo_refuses_a_bad_date_in_one_line(tmp_path: Path) -> None:
    done = _huikuan(["demo", "--date", "10/03/2026", "--no-serve"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["error: --date must be YYYY-MM-DD"]


def test_demo_refuses_to_delete_a_server_database(tmp_path: Path) -> None:
    done = _huikuan(["demo", "--no-serve"], tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --fresh works only on an SQLite file database; refusing to delete it"
    ]
