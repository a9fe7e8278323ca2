"""The compliance area: rule settings (tighten, loosen only as an officer with a reason), the
decisions log with its filters, and the stops queue (cleared with a reason, audited)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from huikuan import compliance
from huikuan.compliance.decisions_log import DecisionFilter, decisions
from huikuan.compliance.packs import pack_for
from huikuan.portfolio.models import Contact
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import RuleSettings, TestDatabase
from tests.web.compliance_seed import AT, seed_compliance
from tests.web.i18n_check import untranslated
from tests.web.login import LOCAL, add_user, console, log_in

SH = ZoneInfo("Asia/Shanghai")


def _csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}


def _setting(client: TestClient, rule: str, name: str) -> dict[str, object]:
    rows = client.get("/api/compliance/settings").json()["settings"]
    return next(r for r in rows if r["rule_id"] == rule and r["name"] == name)


def test_an_admin_may_tighten_but_not_loosen(db: TestDatabase, rule_settings: RuleSettings) -> None:
    rule_settings({})
    admin = console(db, Role.ADMIN)
    csrf = _csrf(admin)
    res = admin.post(
        "/api/compliance/settings",
        json={"jurisdiction": "CN", "changes": {"CN.TIME": {"start": "09:00"}}},
        headers=csrf,
    )
    assert res.status_code == 200, res.text
    assert _setting(admin, "CN.TIME", "start") == {
        **_setting(admin, "CN.TIME", "start"),
        "regulation": "08:00",
        "effective": "09:00",
    }
    assert pack_for("CN").param("CN.TIME", "start") == "09:00"
    loosen = admin.post(
        "/api/compliance/settings",
        json={"jurisdiction": "CN", "changes": {"CN.TIME": {"start": "07:00"}}, "reason": "试点项目"},
        headers=csrf,
    )
    assert loosen.status_code == 403
    assert "only a compliance officer may loosen" in loosen.json()["error"]
    assert _setting(admin, "CN.TIME", "start")["effective"] == "09:00"
    with db.session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "rule_settings")))
    assert actions == ["compliance.settings.set"]


def test_loosening_needs_an_officer_and_a_reason(db: TestDatabase, rule_settings: RuleSettings) -> None:
    rule_settings({})
    officer = console(db, Role.COMPLIANCE_OFFICER)
    csrf = _csrf(officer)
    body = {"jurisdiction": "CN", "changes": {"CN.DIALS_PER_NUMBER": {"max_dials": 8}}}
    bare = officer.post("/api/compliance/settings", json=body, headers=csrf)
    assert bare.status_code == 422
    assert _setting(officer, "CN.DIALS_PER_NUMBER", "max_dials")["effective"] == 6
    ok = officer.post("/api/compliance/settings", json={**body, "reason": "监管批复试点"}, headers=csrf)
    assert ok.status_code == 200, ok.text
    assert _setting(officer, "CN.DIALS_PER_NUMBER", "max_dials")["effective"] == 8
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "rule_settings")).one()
    assert event.details["override"]["reason"] == "监管批复试点"


def test_the_settings_page_shows_the_refusal_and_keeps_what_was_typed(
    db: TestDatabase, rule_settings: RuleSettings
) -> None:
    rule_settings({})
    admin = console(db, Role.ADMIN)
    admin.cookies.set("huikuan_lang", "en")
    page = admin.get("/compliance")
    assert "CN-NIFA-2025" in page.text
    assert "US-REG-F" in page.text
    assert untranslated(page.text, "en") == []
    csrf = _csrf(admin)["X-CSRF-Token"]
    form = {"csrf_token": csrf, "setting": "CN:CN.TIME.end", "value": "23:00", "reason": "late shift"}
    refused = admin.post("/compliance/settings", data=form)
    assert refused.status_code == 403
    assert "only a compliance officer may loosen a rule" in refused.text
    assert 'value="23:00"' in refused.text
    assert 'value="late shift"' in refused.text
    saved = admin.post("/compliance/settings", data={**form, "value": "21:00", "reason": ""})
    assert saved.status_code == 200  # followed the redirect
    assert "Setting saved and audited." in saved.text
    assert pack_for("CN").param("CN.TIME", "end") == "21:00"
    rate = {"csrf_token": csrf, "setting": "US:US.ABANDON.max_abandon_rate", "value": "0.02", "reason": ""}
    assert admin.post("/compliance/settings", data=rate).status_code == 200
    assert pack_for("US").param("US.ABANDON", "max_abandon_rate") == 0.02
    admin.cookies.set("huikuan_lang", "zh_CN")
    bad = admin.post("/compliance/settings", data={**rate, "value": "fast"})
    assert bad.status_code == 422
    assert "取值无效" in bad.text
    assert untranslated(bad.text, "zh_CN") == []


def test_the_decisions_log_filters_by_outcome_rule_campaign_account_and_date(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_compliance(s)
        s.commit()
    client = console(db, Role.COMPLIANCE_OFFICER)

    def ids(**params: object) -> list[tuple[int, bool, str | None]]:
        res = client.get("/api/compliance/decisions", params=params)
        assert res.status_code == 200, res.text
        return [(d["debtor_id"], d["allowed"], d["rule"]) for d in res.json()["decisions"]]

    assert len(ids()) == 3
    assert ids(outcome="allowed") == [(seeded.free_debtor, True, None)]
    assert sorted(r for _, _, r in ids(outcome="denied")) == ["CN.STOP", "CN.TIME"]
    assert ids(rule="CN.STOP") == [(seeded.stopped_debtor, False, "CN.STOP")]
    assert {d for d, _, _ in ids(campaign_id=seeded.campaign_id)} == {seeded.free_debtor}
    assert {d for d, _, _ in ids(debtor_id=seeded.stopped_debtor)} == {seeded.stopped_debtor}
    assert ids(date_from="2026-03-11") == []
    assert len(ids(date_from="2026-03-10", date_to="2026-03-10")) == 3
    first = client.get("/api/compliance/decisions", params={"rule": "CN.STOP"}).json()["decisions"][0]
    assert first["rule_title_zh"] == "投诉、争议、停止联系请求"
    assert client.get("/api/compliance/decisions", params={"outcome": "maybe"}).status_code == 422
    for lang, title in (
        ("zh_CN", "投诉、争议、停止联系请求"),
        ("en", "Complaints, disputes and cease requests"),
    ):
        client.cookies.set("huikuan_lang", lang)
        page = client.get("/compliance/decisions", params={"outcome": "denied", "rule": "CN.STOP"})
        assert page.status_code == 200
        assert title in page.text
        assert untranslated(page.text, lang) == []
    bad = client.get("/compliance/decisions", params={"debtor_id": "abc"})
    assert bad.status_code == 422
    assert 'value="abc"' in bad.text


def test_clearing_a_stop_needs_a_reason_is_audited_and_lets_contact_resume(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_compliance(s)
        s.commit()
    officer = console(db, Role.COMPLIANCE_OFFICER)
    csrf = _csrf(officer)
    stops = officer.get("/api/compliance/stops").json()
    assert [(x["id"], x["kind"]) for x in stops] == [(seeded.stop_id, "complaint")]
    path = f"/api/compliance/stops/{seeded.stop_id}/clear"
    assert officer.post(path, json={"reason": "ok"}, headers=csrf).status_code == 422
    admin = console(db, Role.ADMIN)
    assert admin.post(path, json={"reason": "投诉已处理完毕"}, headers=_csrf(admin)).status_code == 403
    done = officer.post(path, json={"reason": "投诉已处理完毕，客户同意继续联系"}, headers=csrf)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cleared"
    assert officer.get("/api/compliance/stops").json() == []
    again = officer.post(path, json={"reason": "投诉已处理完毕"}, headers=csrf)
    assert again.status_code == 409
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "compliance.stop.clear")).one()
        assert event.entity_id == str(seeded.stop_id)
        contact = s.get(Contact, seeded.stopped_contact)
        assert contact is not None
        later = datetime(2026, 3, 11, 10, tzinfo=SH)
        assert compliance.reserve(s, contact, later).allowed
        s.commit()


def test_the_stops_page_refuses_a_missing_reason_in_the_visitors_language(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_compliance(s)
        s.commit()
    officer = console(db, Role.COMPLIANCE_OFFICER)
    csrf = _csrf(officer)["X-CSRF-Token"]
    for lang, text in (("zh_CN", "解除须说明理由"), ("en", "clearing a stop needs a reason")):
        officer.cookies.set("huikuan_lang", lang)
        page = officer.get("/compliance/stops")
        assert f'id="stop-{seeded.stop_id}"' in page.text
        assert untranslated(page.text, lang) == []
        refused = officer.post(
            f"/compliance/stops/{seeded.stop_id}/clear", data={"csrf_token": csrf, "reason": ""}
        )
        assert refused.status_code == 422
        assert text in refused.text
        assert untranslated(refused.text, lang) == []
    short = officer.post(
        f"/compliance/stops/{seeded.stop_id}/clear", data={"csrf_token": csrf, "reason": "abc"}
    )
    assert short.status_code == 422
    assert 'value="abc"' in short.text
    done = officer.post(
        f"/compliance/stops/{seeded.stop_id}/clear", data={"csrf_token": csrf, "reason": "dispute resolved"}
    )
    assert done.status_code == 200
    assert f"Stop {seeded.stop_id} cleared" in done.text
    assert f'id="stop-{seeded.stop_id}"' not in done.text


def test_an_admin_sees_the_queue_without_clear_buttons(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_compliance(s)
        s.commit()
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    log_in(client, add_user(db, Role.ADMIN))
    page = client.get("/compliance/stops")
    assert page.status_code == 200
    assert f'id="stop-{seeded.stop_id}"' in page.text
    assert "clear-form" not in page.text
    assert AT.year == 2026


def test_the_decisions_log_pages_newest_first(db: TestDatabase) -> None:
    with db.session() as s:
        seed_compliance(s)
        s.commit()
        first = decisions(s, DecisionFilter(), page=1, per_page=2)
        second = decisions(s, DecisionFilter(), page=2, per_page=2)
        beyond = decisions(s, DecisionFilter(), page=9, per_page=2)
    assert (first.total, first.pages, len(first.rows)) == (3, 2, 2)
    assert [r.at for r in first.rows] == sorted((r.at for r in first.rows), reverse=True)
    assert len(second.rows) == 1
    assert second.rows[0].at <= first.rows[-1].at
    assert beyond.page == 2  # a page past the end shows the last
