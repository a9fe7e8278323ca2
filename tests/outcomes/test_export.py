from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from huikuan.outcomes.export import EXPORT_KEYS, iter_attempt_records, write_csv, write_jsonl, write_xlsx
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


def test_cli_exports_csv_and_xlsx_for_a_spreadsheet(db: TestDatabase, tmp_path: Path) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    env = operator_env(db)
    as_csv = huikuan(["export", "attempts", "--format", "csv"], env=env)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert tuple(rows[0]) == EXPORT_KEYS
    assert [r[EXPORT_KEYS.index("outcome")] for r in rows[1:]] == [
        "no_answer",
        "answered",
        "answered",
        "busy",
    ]
    assert rows[2][EXPORT_KEYS.index("ptp_amount")] == "1200.5"

    book_file = tmp_path / "attempts.xlsx"
    as_xlsx = huikuan(["export", "attempts", "--format", "xlsx", "-o", str(book_file)], env=env)
    assert as_xlsx.returncode == 0, as_xlsx.stderr
    book = load_workbook(book_file, read_only=True)  # read-only keeps the file open until closed
    try:
        cells = [list(row) for row in book["attempts"].iter_rows(values_only=True)]
    finally:
        book.close()
    assert tuple(cells[0]) == EXPORT_KEYS
    assert len(cells) == 5
    assert cells[2][EXPORT_KEYS.index("talk_seconds")] == 95  # numbers stay numbers
    assert PHONE not in as_csv.stdout


def test_spreadsheet_exports_write_formulas_as_text() -> None:
    record = dict.fromkeys(EXPORT_KEYS, '=HYPERLINK("http://x")') | {"talk_seconds": -3}
    out = io.StringIO()
    assert write_csv(iter([record]), out) == 1
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["robot_id"] == '\'=HYPERLINK("http://x")'
    assert row["talk_seconds"] == "-3"
    binary = io.BytesIO()
    assert write_xlsx(iter([record]), binary) == 1
    binary.seek(0)
    values = list(load_workbook(binary, read_only=True)["attempts"].iter_rows(values_only=True))[1]
    assert values[EXPORT_KEYS.index("robot_id")] == '\'=HYPERLINK("http://x")'
    assert values[EXPORT_KEYS.index("talk_seconds")] == -3
