"""The audit area: the log newest first with its filters (ids only), and "Verify", the same
verification as `huikuan audit verify`, OK on an untouched log and naming the first bad event
after tampering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text, update

from huikuan.db.append_only import drop_statements
from huikuan.security import audit, audit_log
from huikuan.security.audit import AuditSetup, append, write_checkpoint
from huikuan.security.audit_key import AuditKey
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role
from tests.conftest import TEST_AUDIT_KEY, TestDatabase
from tests.web.i18n_check import untranslated
from tests.web.login import console

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _log(db: TestDatabase, n: int) -> list[int]:
    with db.session() as s:
        ids = [
            append(
                s,
                at=T0 + timedelta(days=i),
                actor=f"user:{i + 1}",
                action="portfolio.import" if i % 2 == 0 else "compliance.stop.clear",
                entity="batch",
                entity_id=i,
            ).id
            for i in range(n)
        ]
        s.commit()
    return ids


def _tamper(db: TestDatabase, event_id: int) -> None:
    """Someone with write and DDL rights on the database, but not the audit key."""
    with db.engine.begin() as conn:
        for ddl in drop_statements(conn.dialect.name, "audit_event"):
            conn.execute(text(ddl))
        conn.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(entity_id="999"))


def _csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}


def test_the_log_is_newest_first_and_filtered(db: TestDatabase) -> None:
    _log(db, 4)
    client = console(db, Role.AUDITOR)
    every = client.get("/api/audit/events", params={"entity": "batch"}).json()
    assert [e["entity_id"] for e in every["events"]] == ["3", "2", "1", "0"]
    imports = client.get("/api/audit/events", params={"action": "portfolio.import", "entity": "batch"}).json()
    assert [e["entity_id"] for e in imports["events"]] == ["2", "0"]
    by_actor = client.get("/api/audit/events", params={"actor": "user:2"}).json()
    assert [e["entity_id"] for e in by_actor["events"]] == ["1"]
    dated = client.get(
        "/api/audit/events", params={"entity": "batch", "date_from": "2026-05-02", "date_to": "2026-05-03"}
    ).json()
    assert [e["entity_id"] for e in dated["events"]] == ["2", "1"]
    for lang in ("zh_CN", "en"):
        client.cookies.set("huikuan_lang", lang)
        page = client.get("/audit", params={"action": "compliance.stop.clear"})
        assert page.status_code == 200
        assert untranslated(page.text, lang) == []
        assert "portfolio.import</td>" not in page.text


def test_verify_is_ok_with_the_count_and_the_last_checkpoint(db: TestDatabase, tmp_path: Path) -> None:
    audit.configure(AuditSetup(key=AuditKey(TEST_AUDIT_KEY), checkpoint_file=tmp_path / "cps"))
    _log(db, 3)
    write_checkpoint(db.engine)
    client = console(db, Role.COMPLIANCE_OFFICER)
    result = client.post("/api/audit/verify", headers=_csrf(client)).json()
    assert result["intact"] is True
    assert result["checkpoints"] == 1
    assert result["anchored_seq"] == 3
    assert result["events"] >= 3  # and the officer's own log-in
    client.cookies.set("huikuan_lang", "en")
    page = client.post("/audit/verify", data={"csrf_token": _csrf(client)["X-CSRF-Token"]})
    assert page.status_code == 200
    assert "OK: the audit log is intact" in page.text
    assert "Last checkpoint at event 3 (1 checkpoints)." in page.text
    assert untranslated(page.text, "en") == []


def test_verify_names_the_first_bad_event_after_tampering(db: TestDatabase) -> None:
    ids = _log(db, 3)
    client = console(db, Role.AUDITOR)
    assert client.post("/api/audit/verify", headers=_csrf(client)).json()["intact"] is True
    _tamper(db, ids[1])
    result = client.post("/api/audit/verify", headers=_csrf(client)).json()
    assert result["intact"] is False
    assert result["first_broken_id"] == ids[1]
    assert "edited or forged" in result["problem"]
    for lang, words in (("zh_CN", "审计日志已被篡改"), ("en", "The audit log has been tampered with.")):
        client.cookies.set("huikuan_lang", lang)
        page = client.post("/audit/verify", data={"csrf_token": _csrf(client)["X-CSRF-Token"]})
        assert words in page.text
        assert str(ids[1]) in page.text
        assert untranslated(page.text, lang) == []


def test_the_log_pages_by_position(db: TestDatabase) -> None:
    _log(db, 5)
    with db.session() as s:
        first = audit_log.events(s, audit_log.EventFilter(entity="batch"), page=1, per_page=2)
        last = audit_log.events(s, audit_log.EventFilter(entity="batch"), page=3, per_page=2)
    assert (first.total, first.pages) == (5, 3)
    assert [r.entity_id for r in first.rows] == ["4", "3"]
    assert [r.entity_id for r in last.rows] == ["0"]
