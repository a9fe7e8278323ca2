"""The demo end to end, as a new user runs it: CLI, database, export, audit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from huikuan.outcomes.export import EXPORT_KEYS
from huikuan.sim.portfolio import SyntheticRow, generate_rows

PERSONAL_CELLS = ("name", "id_number", "phone", "phone2", "emergency_name", "emergency_phone")

BEIJING = ZoneInfo("Asia/Shanghai")


def _huikuan(
    args: list[str],
    data_dir: Path,
    database_url: str | None = None,
    log_level: str | None = None,
    stdin: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a new user would: only the data directory (and maybe a URL) configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIKUAN_")}
    env["HUIKUAN_DATA_DIR"] = str(data_dir)
    if log_level:
        env["HUIKUAN_LOG_LEVEL"] = log_level
    env["XDG_CONFIG_HOME"] = str(data_dir / "config")  # the default key folder, inside the test's
    env["COLUMNS"] = "200"
    if database_url:
        env["HUIKUAN_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )


@pytest.mark.slow
def test_demo_day_runs_exports_and_keeps_the_cn_rules(tmp_path: Path) -> None:
    # At DEBUG, so the scan at the end sees everything any logger would ever say.
    demo = _huikuan(
        ["demo", "--accounts", "120", "--robots", "2", "--date", "2026-03-10", "--days", "2", "--no-serve"],
        tmp_path,
        log_level="DEBUG",
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "拨打次数" in demo.stdout
    assert "Contacts denied by rule" in demo.stdout
    log_ins = [
        line.split()
        for line in demo.stdout.splitlines()
        if line.strip().startswith(("supervisor", "agent", "compliance_officer", "auditor", "admin"))
    ]
    assert [row[1] for row in log_ins] == [
        "demo-supervisor",
        "demo-agent",
        "demo-compliance-officer",
        "demo-auditor",
        "demo-admin",
    ]
    assert all(len(row[2]) >= 12 for row in log_ins)  # a generated password, shown once
    assert (tmp_path / "huikuan.db").exists()  # the one database every command uses
    assert "http://127.0.0.1" not in demo.stdout  # --no-serve: no console address promised

    supervisor_password = log_ins[0][2]
    records, exported = _export(tmp_path, f"sqlite:///{tmp_path / 'huikuan.db'}", supervisor_password)
    assert len(records) > 100
    assert all(tuple(r) == EXPORT_KEYS for r in records)
    robots = [r for r in records if r["robot_id"]]  # the rest: the simulated desk agents' calls
    assert {str(r["robot_id"]).rsplit("/", 1)[1] for r in robots} == {"R01", "R02"}  # worker/line
    assert len(robots) < len(records)  # --agents 2 by default: people called too

    dials_per_number: Counter[tuple[str, date]] = Counter()  # per local day, as the caps count
    conversations_per_debtor: Counter[tuple[object, date]] = Counter()
    for r in records:
        local = datetime.fromisoformat(r["started_at"]).astimezone(BEIJING)
        assert 8 <= local.hour < 22, r["attempt_id"]
        assert r["relation"] != "employer"
        dials_per_number[r["number_key"], local.date()] += 1
        conversations_per_debtor[r["debtor_id"], local.date()] += r["conversation"]
    assert {day for _, day in dials_per_number} == {date(2026, 3, 9), date(2026, 3, 10)}  # --days 2
    assert max(dials_per_number.values()) <= 6
    assert max(conversations_per_debtor.values()) <= 3
    nights = [line for line in demo.stdout.splitlines() if "promises settled overnight" in line]
    assert [line[:10] for line in nights] == ["2026-03-09", "2026-03-10"]

    export_file = tmp_path / "attempts.jsonl"
    export_file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    audit = _huikuan(["compliance", "audit", str(export_file), "--json"], tmp_path, log_level="DEBUG")
    assert audit.returncode == 0, audit.stdout[-2000:]
    summary = json.loads(audit.stdout.splitlines()[-1])
    assert summary["violations"] == 0
    assert summary["attempts"] == len(records)

    said = [demo.stdout, demo.stderr, exported.stdout, exported.stderr, audit.stdout, audit.stderr]
    assert "DEBUG" in demo.stderr  # the level was honoured, so the scan saw debug lines too
    leaks = _personal_data_in(said, generate_rows(120, 7, date(2026, 3, 9), "CN"))
    assert leaks == [], leaks[:5]


def _personal_data_in(outputs: list[str], rows: Iterable[SyntheticRow]) -> list[str]:
    """Every name, phone number (as written, E.164 or national) and ID number of the portfolio
    that appears in any output: which kind, never the value itself."""
    text = "\n".join(outputs)
    digits_only = re.sub(r"[\s()+-]", "", text)
    found = []
    for index, row in enumerate(rows):
        for key, value in row.cells.items():
            if not value or key not in PERSONAL_CELLS:
                continue
            if key.endswith("name"):
                hit = value in text
            else:
                national = re.sub(r"\D", "", value).removeprefix("86")
                hit = value in text or (len(national) >= 7 and national in digits_only)
            if hit:
                found.append(f"row {index}: {key}")
    return found


def test_the_scan_finds_what_it_looks_for() -> None:
    row = next(generate_rows(1, 7, date(2026, 3, 10), "CN"))
    phone = row.e164["phone"]
    spaced = f"{phone[3:6]} {phone[6:10]} {phone[10:]}"
    assert _personal_data_in([f"call to {spaced} done"], [row]) == ["row 0: phone"]
    assert _personal_data_in([f"hello {row.cells['name']}"], [row]) == ["row 0: name"]
    assert _personal_data_in(["attempt 12 answered"], [row]) == []


def _export(
    data_dir: Path, url: str, password: str
) -> tuple[list[dict[str, object]], subprocess.CompletedProcess[str]]:
    done = _huikuan(
        ["export", "attempts", "--as", "demo-supervisor", "--password-stdin"],
        data_dir,
        url,
        log_level="DEBUG",
        stdin=password + "\n",
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], done


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


def _demo_once(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ["demo", "--accounts", "20", "--robots", "1", "--date", "2026-03-10", "--no-serve", *extra]
    return _huikuan(args, data_dir)


def test_demo_never_deletes_a_database_it_did_not_make(tmp_path: Path) -> None:
    made = _huikuan(["db", "upgrade"], tmp_path)  # the operator's own database, at the default place
    assert made.returncode == 0, made.stderr
    database = tmp_path / "huikuan.db"
    before = database.read_bytes()

    refused = _demo_once(tmp_path)

    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"error: {database} exists and was not made by the demo; refusing to delete it "
        "(--reset deletes it, --no-fresh adds the demo to it)"
    ]
    assert database.read_bytes() == before


def test_demo_starts_over_on_its_own_database_and_on_reset(tmp_path: Path) -> None:
    (tmp_path / "huikuan.db").write_bytes(b"not ours")
    reset = _demo_once(tmp_path, "--reset")
    assert reset.returncode == 0, reset.stderr[-2000:]
    again = _demo_once(tmp_path)  # the demo's own database: started over without asking
    assert again.returncode == 0, again.stderr[-2000:]
    passwords = [line.split()[2] for line in again.stdout.splitlines() if "demo-supervisor" in line]
    assert len(passwords) == 1
    assert len(passwords[0]) >= 12  # new users, so a new password shown

    # …and the commands the demo's reader runs next see the same database.
    admin_password = _password_of(again.stdout, "demo-admin")
    add = ["desk", "add-agent", "li", "--name", "Li", "--as", "demo-admin", "--password-stdin"]
    agent = _huikuan(add, tmp_path, stdin=f"{admin_password}\nagent-password-1\n")
    assert agent.returncode == 0, agent.stderr
    listed = _huikuan(["desk", "agents"], tmp_path)
    assert listed.returncode == 0
    assert len(re.findall(r"^\s*│?\s*\d+\s", listed.stdout, re.M)) >= 2  # demo-agent and li


def _password_of(stdout: str, username: str) -> str:
    return next(line.split()[2] for line in stdout.splitlines() if line.split()[1:2] == [username])


def test_demo_prints_the_console_address_and_each_role_in_both_languages() -> None:
    import typer
    from typer.testing import CliRunner

    from huikuan.cli.demo import print_log_ins

    app = typer.Typer()
    app.command()(lambda: print_log_ins({"demo-supervisor": "pw-123456789012", "demo-agent": None}, 8000))
    out = CliRunner().invoke(app, []).output
    assert "http://127.0.0.1:8000/" in out
    assert "演示主管 / demo supervisor" in out
    assert "（未变 / unchanged）" in out


def test_on_a_terminal_the_demo_asks_before_deleting_a_database_not_its_own(tmp_path: Path) -> None:
    from huikuan.cli.demo import clear_demo_database
    from huikuan.errors import InvalidInput

    database = tmp_path / "huikuan.db"
    database.write_bytes(b"the operator's")
    url = f"sqlite:///{database}"
    asked: list[Path] = []

    def say_no(path: Path) -> bool:
        asked.append(path)
        return False

    with pytest.raises(InvalidInput, match="refusing to delete it"):
        clear_demo_database(url, reset=False, confirm=say_no)
    assert asked == [database]
    assert database.read_bytes() == b"the operator's"

    clear_demo_database(url, reset=False, confirm=lambda _path: True)
    assert not database.exists()
