"""`huikuan compliance check` and `audit` as another dialer or an auditor runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.compliance.casebuilder import call, case, local

SH, NY = "Asia/Shanghai", "America/New_York"


def _run(args: list[str], stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIKUAN_")}
    if cwd is not None:
        env["HUIKUAN_DATA_DIR"] = str(cwd)
    return subprocess.run(
        [sys.executable, "-m", "huikuan", "compliance", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_answers_one_line_per_case_in_order() -> None:
    cases = [
        {**case("CN", SH, local(SH, 2026, 3, 10, 7, 59, 59)), "id": 1},
        {**case("CN", SH, local(SH, 2026, 3, 10, 8)), "id": 2},
        {**case("US", [NY, "America/Los_Angeles"], local(NY, 2026, 6, 10, 9)), "id": "three"},
        {
            **case(
                "US",
                NY,
                local(NY, 2026, 6, 8, 12),
                [call(local(NY, 2026, 6, 2, 14), "answered", conversation=True)],
            ),
            "id": 4,
        },
    ]
    done = _run(["check"], "".join(json.dumps(c) + "\n" for c in cases) + "\n")
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["id"] for a in answers] == [1, 2, "three", 4]
    assert all(set(a) == {"id", "allowed", "rule", "reason", "next_allowed_at"} for a in answers)
    assert [a["allowed"] for a in answers] == [False, True, False, False]
    assert [a["rule"] for a in answers] == ["CN.TIME", None, "US.TIME", "US.AFTER_CONV"]
    assert answers[0]["next_allowed_at"] == "2026-03-10T08:00:00+08:00"
    assert answers[2]["next_allowed_at"] == "2026-06-10T11:00:00-04:00"
    assert answers[3]["next_allowed_at"] == "2026-06-09T08:00:00-04:00"
    assert "08:00" in answers[0]["reason"]


def test_check_reports_bad_cases_in_place_and_exits_2() -> None:
    good = json.dumps({**case("CN", SH, local(SH, 2026, 3, 10, 9)), "id": "ok"})
    naive = case("CN", SH, "2026-03-10T09:00:00")
    naive["id"] = "naive"
    lines = [
        good,
        "{not json",
        json.dumps(naive),
        json.dumps({"id": "zone", **case("CN", "Mars/Base", "x")}),
        good,
    ]
    done = _run(["check"], "\n".join(lines) + "\n")
    assert done.returncode == 2
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 5
    assert [a.get("error") is None for a in answers] == [True, False, False, False, True]
    assert answers[2]["id"] == "naive"
    assert "offset" in answers[2]["error"]
    assert "timezone" in answers[3]["error"]
    assert done.stderr.strip().splitlines() == ["error: 3 个用例无法判定 / 3 case(s) could not be decided"]


def _record(attempt_id: int, at: str, **kw: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "attempt_id": attempt_id,
        "account_id": 1,
        "debtor_id": kw.pop("debtor_id", 1),
        "contact_id": 1,
        "relation": "self",
        "number_key": "k1",
        "jurisdiction": "CN",
        "debtor_timezone": SH,
        "started_at": at,
        "ended_at": at,
        "channel": "voice",
        "outcome": "no_answer",
        "conversation": False,
        "talk_seconds": 0,
        "disposition": "none",
    }
    record.update(kw)
    return record


def test_audit_finds_each_planted_violation(tmp_path: Path) -> None:
    records = [
        _record(1, local(SH, 2026, 3, 10, 7, 30), number_key="k0"),  # CN.TIME
        *[_record(10 + k, local(SH, 2026, 3, 10, 9, k)) for k in range(7)],  # 7th dial: CN.DIALS_PER_NUMBER
        _record(20, local(SH, 2026, 3, 10, 12), relation="employer", number_key="boss"),  # CN.EMPLOYER
        _record(
            30, local(SH, 2026, 3, 10, 9), debtor_id=2, disposition="cease_requested", outcome="answered"
        ),
        _record(31, local(SH, 2026, 3, 10, 15), debtor_id=2),  # CN.STOP
        _record(
            40, local(SH, 2026, 3, 10, 9), debtor_id=3, relation="family", number_key="mum"
        ),  # THIRD_PARTY
    ]
    export = tmp_path / "attempts.jsonl"
    export.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = _run(["audit", str(export), "--json"], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    found = {(v["attempt_id"], v["rule"]) for v in lines[:-1]}
    assert found == {
        (1, "CN.TIME"),
        (16, "CN.DIALS_PER_NUMBER"),
        (20, "CN.EMPLOYER"),
        (31, "CN.STOP"),
        (40, "CN.THIRD_PARTY"),
    }
    assert lines[-1]["violations"] == 5
    assert lines[-1]["attempts"] == len(records)


def test_audit_of_a_clean_export_says_none(tmp_path: Path) -> None:
    export = tmp_path / "attempts.jsonl"
    export.write_text(json.dumps(_record(1, local(SH, 2026, 3, 10, 9))) + "\n", encoding="utf-8")
    done = _run(["audit", str(export)], cwd=tmp_path)
    assert done.returncode == 0
    assert "no violations" in done.stdout


def test_audit_of_garbage_is_a_one_line_error(tmp_path: Path) -> None:
    binary = tmp_path / "x.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    done = _run(["audit", str(binary)], cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("error:")
    missing = _run(["audit", str(tmp_path / "nope.jsonl")], cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error:")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"attempt_id": 1}\nnot json\n', encoding="utf-8")
    done = _run(["audit", str(broken)], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "2 line(s) unreadable" in done.stderr
