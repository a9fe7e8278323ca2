"""The imports area: upload a case file, row errors, the error file, past imports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from huikuan.clock import VirtualClock
from huikuan.portfolio.models import Account, ImportRowError
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role
from huikuan.sim.portfolio import HEADER, generate_rows, to_csv
from huikuan.web.hardening import MAX_UPLOAD_BYTES
from tests.conftest import TestDatabase
from tests.web.i18n_check import untranslated
from tests.web.login import console

AS_OF = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, the floor's day is AS_OF


def rows(n: int = 5) -> list[dict[str, str]]:
    return [r.cells for r in generate_rows(n, 7, AS_OF)]


def client_for(db: TestDatabase, role: Role = Role.SUPERVISOR) -> tuple[TestClient, dict[str, str]]:
    client = console(db, role, clock=VirtualClock(NOW))
    return client, {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}


def upload(client: TestClient, csrf: dict[str, str], name: str, data: bytes, batch: str = "b-1") -> object:
    return client.post(
        "/api/imports",
        headers=csrf,
        data={"creditor": "acme", "batch": batch},
        files={"file": (name, data, "text/csv")},
    )


def test_good_and_bad_rows_give_counts_and_row_errors_and_lose_no_good_row(db: TestDatabase) -> None:
    client, csrf = client_for(db)
    data = rows(6)
    name_of_bad = data[2]["name"]
    data[2]["phone"] = "12345"  # row 4 of the file: an invalid number
    data[4]["overdue_amount"] = "abc"  # row 6: not an amount
    res = upload(client, csrf, "cases.csv", to_csv(data).encode())
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["rows_read"], body["rows_imported"], body["rows_rejected"]) == (6, 4, 2)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(4, "phone"), (6, "overdue_amount")}
    assert name_of_bad not in res.text
    assert "12345" not in res.text
    with db.session() as s:
        refs = set(s.scalars(select(Account.loan_ref)))
        assert refs == {r["loan_id"] for i, r in enumerate(data) if i not in (2, 4)}
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "portfolio.import")).one()
        assert event.entity_id == str(body["batch_id"])
        assert event.details["rows_imported"] == 4
        assert event.at == NOW  # the app's clock, like the batch's own instant
    listed = client.get("/api/imports").json()
    assert [(b["batch_name"], b["rows_imported"], b["rows_rejected"]) for b in listed] == [("b-1", 4, 2)]
    assert listed[0]["created_at"].startswith("2026-03-10T02:00")
    client.cookies.set("huikuan_lang", "en")
    page = client.get(f"/imports/{body['batch_id']}")
    assert page.status_code == 200
    assert "invalid phone number" in page.text
    assert "not an amount" in page.text
    assert name_of_bad not in page.text
    assert untranslated(page.text, "en") == []
    assert page.text.count('<td>invalid phone number</td><td class="num">1</td>') == 1  # by reason
    client.cookies.set("huikuan_lang", "zh_CN")
    for path in (f"/imports/{body['batch_id']}", "/imports"):
        page = client.get(path)
        assert untranslated(page.text, "zh_CN") == [], path
    assert "电话号码无效" in client.get(f"/imports/{body['batch_id']}").text


def test_an_xlsx_upload_imports_like_a_csv(db: TestDatabase) -> None:
    client, csrf = client_for(db)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADER))
    for r in rows(3):
        sheet.append([r[k] for k in HEADER])
    out = io.BytesIO()
    book.save(out)
    res = upload(client, csrf, "cases.xlsx", out.getvalue())
    assert res.status_code == 200, res.text
    assert res.json()["rows_imported"] == 3


def test_the_error_file_downloads_in_both_formats_with_formulas_escaped(db: TestDatabase) -> None:
    client, csrf = client_for(db)
    data = rows(3)
    data[1]["due_date"] = "not a day"
    batch_id = upload(client, csrf, "cases.csv", to_csv(data).encode()).json()["batch_id"]
    with db.session() as s:  # a stored error whose column came from a hostile file
        s.add(ImportRowError(batch_id=batch_id, row=9, column='=HYPERLINK("http://x","y")', reason="-1+1"))
        s.commit()
    res = client.get(f"/api/imports/{batch_id}/errors", params={"format": "csv"})
    assert res.status_code == 200
    assert "attachment" in res.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert table[0] == ["row/行号", "column/列", "reason/原因"]
    assert table[1] == ["3", "due_date/到期日", "日期无效 / invalid date"]
    assert table[2] == ["9", '\'=HYPERLINK("http://x","y")', "'-1+1"]
    res = client.get(f"/api/imports/{batch_id}/errors", params={"format": "xlsx"})
    assert res.status_code == 200
    sheet = load_workbook(io.BytesIO(res.content)).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[2] == [9, '\'=HYPERLINK("http://x","y")', "'-1+1"]
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    assert client.get("/api/imports/999/errors").status_code == 404


def test_a_file_that_is_not_csv_or_xlsx_is_refused_with_a_reason(db: TestDatabase) -> None:
    client, csrf = client_for(db)
    res = upload(client, csrf, "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert res.status_code == 415
    assert "CSV" in res.json()["error"]
    res = upload(client, csrf, "cases.csv", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert res.status_code == 422
    assert "binary" in res.json()["error"]
    res = upload(client, csrf, "cases.xlsx", b"loan_id,name\n")
    assert res.status_code == 422
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0


def test_an_oversized_upload_is_refused_before_it_is_read(db: TestDatabase) -> None:
    client, csrf = client_for(db)
    res = upload(client, csrf, "cases.csv", b"a" * (MAX_UPLOAD_BYTES + 1))
    assert res.status_code == 413
    assert "error" in res.json()


def test_a_batch_name_reused_for_another_file_is_a_conflict(db: TestDatabase) -> None:
    client, csrf = client_for(db)
    assert upload(client, csrf, "a.csv", to_csv(rows(2)).encode()).status_code == 200
    again = upload(client, csrf, "a.csv", to_csv(rows(2)).encode())
    assert again.status_code == 200
    assert again.json()["already_imported"] is True
    other = upload(client, csrf, "b.csv", to_csv(rows(3)).encode())
    assert other.status_code == 409


def test_an_upload_needs_the_csrf_token_and_the_import_permission(db: TestDatabase) -> None:
    client, _csrf = client_for(db)
    assert upload(client, {}, "a.csv", to_csv(rows(2)).encode()).status_code == 403
    auditor, csrf = client_for(db, Role.AUDITOR)
    assert upload(auditor, csrf, "a.csv", to_csv(rows(2)).encode()).status_code == 403


def test_a_blank_batch_name_or_a_bad_creditor_code_is_refused(db: TestDatabase) -> None:
    client, csrf = client_for(db)
    assert upload(client, csrf, "a.csv", to_csv(rows(2)).encode(), batch="   ").status_code == 422
    res = client.post(
        "/api/imports",
        headers=csrf,
        data={"creditor": "a b;c", "batch": "b"},
        files={"file": ("a.csv", to_csv(rows(2)).encode(), "text/csv")},
    )
    assert res.status_code == 422
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
