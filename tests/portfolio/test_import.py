from __future__ import annotations

import csv
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.errors import UnreadableFile
from huikuan.portfolio.importer import write_error_report
from huikuan.portfolio.models import Account, Batch, Contact, Debtor
from huikuan.portfolio.service import import_file
from huikuan.sim.portfolio import HEADER, generate_rows, inject_bad_rows, to_csv
from tests.conftest import TestDatabase
from tests.operators import operator_env

AS_OF = date(2026, 3, 10)
HUIKUAN = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "huikuan")
ZH = {
    "loan_id": "借据号",
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "手机号",
    "outstanding": "剩余应还",
    "overdue_amount": "逾期金额",
    "due_date": "到期日",
}


def cells(n: int = 20, seed: int = 1) -> list[dict[str, str]]:
    return [r.cells for r in generate_rows(n, seed, AS_OF)]


def counts(session: Session) -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(t)) or 0 for t in (Batch, Debtor, Contact, Account)
    )


def test_import_and_reimport_adds_nothing(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(to_csv(cells(30)), encoding="utf-8")
    result = import_file(session, path, batch_name="b1", as_of=AS_OF)
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (30, 30, 0)
    before = counts(session)
    assert before[1:] == (30, result.contacts_created, 30)
    again = import_file(session, path, batch_name="b1", as_of=AS_OF)
    assert again.already_imported
    assert again.rows_imported == 0
    other = import_file(session, path, batch_name="b2", as_of=AS_OF)
    assert other.rows_already_present == 30
    assert other.rows_imported == 0
    assert counts(session)[1:] == before[1:]
    batch = session.get(Batch, result.batch_id)
    assert batch is not None
    assert (batch.rows_imported, batch.rows_rejected) == (30, 0)
    assert batch.source_sha256 == result.sha256


def test_exactly_the_bad_rows_are_reported(session: Session, tmp_path: Path) -> None:
    rows = cells(400, seed=5)
    broken = inject_bad_rows(rows, 0.05, seed=5)
    assert len(broken) == 20
    path = tmp_path / "bad.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    result = import_file(session, path, batch_name="b", as_of=AS_OF)
    assert {e.row for e in result.errors} == set(broken)
    assert result.rows_imported == 380
    assert counts(session)[3] == 380
    report = tmp_path / "bad.errors.csv"
    write_error_report(report, result.errors)
    with report.open(encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["row/行号", "column/列", "reason/原因"]
    assert {int(line[0]) for line in lines[1:]} == set(broken)
    personal = {r[k] for r in rows for k in ("name", "id_number", "phone") if r[k]}
    for line in lines[1:]:
        assert not any(value in line[2] for value in personal)


def test_gbk_bom_and_chinese_headers(session: Session, tmp_path: Path) -> None:
    rows = cells(6, seed=2)
    header = [ZH.get(k, k) for k in HEADER]
    text = ",".join(header) + "\n" + "".join(",".join(r[k] for k in HEADER) + "\n" for r in rows[:3])
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    result = import_file(session, tmp_path / "gbk.csv", batch_name="gbk", as_of=AS_OF)
    assert result.rows_imported == 3
    bom = to_csv(rows[3:]).encode("utf-8-sig")
    (tmp_path / "bom.csv").write_bytes(bom)
    result = import_file(session, tmp_path / "bom.csv", batch_name="bom", as_of=AS_OF)
    assert result.rows_imported == 3
    names = set(session.scalars(select(Debtor.name)))
    assert names == {r["name"] for r in rows}


def test_xlsx_with_dates_and_numbers(session: Session, tmp_path: Path) -> None:
    rows = cells(5, seed=3)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([*HEADER, "备注"])
    for r in rows:
        values: list[object] = [r[k] for k in HEADER]
        values[HEADER.index("due_date")] = date.fromisoformat(r["due_date"])
        values[HEADER.index("phone")] = int(r["phone"])
        values[HEADER.index("outstanding")] = float(r["outstanding"])
        ws.append([*values, "x"])
    wb.save(tmp_path / "a.xlsx")
    result = import_file(session, tmp_path / "a.xlsx", batch_name="x", as_of=AS_OF)
    assert (result.rows_imported, result.rows_rejected) == (5, 0)
    assert result.extra_columns == ["备注"]
    stored = {a.loan_ref: a for a in session.scalars(select(Account))}
    for r in rows:
        account = stored[r["loan_id"]]
        assert account.due_date == date.fromisoformat(r["due_date"])
        assert account.outstanding == round(float(r["outstanding"]) * 100)


def garbage(tmp_path: Path) -> dict[str, Path]:
    files = {
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "empty": b"",
        "headers": b"foo,bar,baz\n1,2,3\n",
        "wide": b"a," * 1_000_000 + b"a\n",
        "latin": b"loan_id,name\n" + b"\xff\xfe\x80\x81\x9f" * 10,
        "xlsx": b"PK\x03\x04 this is no zip archive",
    }
    good = to_csv(cells(3)).rstrip("\n").split("\n")
    files["huge"] = ("\n".join(good) + "\n" + '"' + "x" * 300_000 + '",a\n').encode()
    out = {}
    for name, data in files.items():
        path = tmp_path / (f"{name}.xlsx" if name == "xlsx" else f"{name}.csv")
        path.write_bytes(data)
        out[name] = path
    return out


EXPECTED = {
    "binary": "binary",
    "empty": "empty",
    "headers": "lacks required columns",
    "wide": "too many columns",
    "latin": "not UTF-8 or GBK",
    "xlsx": "not a readable XLSX",
    "huge": "field larger than field limit",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_garbage_writes_nothing(session: Session, tmp_path: Path, kind: str) -> None:
    path = garbage(tmp_path)[kind]
    with pytest.raises(UnreadableFile) as caught:
        import_file(session, path, batch_name="g", as_of=AS_OF)
    message = caught.value.message
    assert EXPECTED[kind] in message
    assert "\n" not in message
    if kind == "headers":
        assert "loan_id/借据号" in message
    if kind == "latin":
        assert "offset" in message
    session.rollback()
    assert counts(session) == (0, 0, 0, 0)


def test_cli_garbage_and_good_file(db: TestDatabase, tmp_path: Path) -> None:
    env = operator_env(db)
    anonymous = subprocess.run(
        [HUIKUAN, "import", "accounts", str(tmp_path / "x.csv"), "--batch", "g"],
        env=db.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert anonymous.returncode == 2
    assert "--as" in anonymous.stderr  # nobody imports without saying who they are
    for kind in ("binary", "wide"):
        path = garbage(tmp_path)[kind]
        done = subprocess.run(
            [HUIKUAN, "import", "accounts", str(path), "--batch", "g"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("error: ")
    rows = cells(10, seed=9)
    inject_bad_rows(rows, 0.2, seed=9)
    path = tmp_path / "ok.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    done = subprocess.run(
        [HUIKUAN, "import", "accounts", str(path), "--batch", "ok", "--as-of", AS_OF.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "导入完成 / imported" in done.stdout
    report = tmp_path / "ok.csv.errors.csv"
    assert report.exists()
    with db.session() as s:
        assert counts(s)[3] == 8
