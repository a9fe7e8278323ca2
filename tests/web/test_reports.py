"""The reports area: figures on seeded data, the page, the exports (both formats, escaped,
audited, permitted per the matrix)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from huikuan.clock import VirtualClock
from huikuan.desk.models import Agent, Transfer
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role, create_user
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, PHONE, T0, Seeded, seed_history
from tests.web.i18n_check import untranslated
from tests.web.login import console

NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
PERIOD = {"since": "2026-03-01", "until": "2026-03-04"}
HOSTILE = '=HYPERLINK("http://x","y")'


def seed(db: TestDatabase) -> Seeded:
    """The shared history (2 March, Beijing: 4 attempts, 1 PTP) plus a late call that is 2 March
    in UTC but 3 March in Beijing, with a kept promise, and one transfer an agent wrapped up."""
    with db.session() as s:
        seeded = seed_history(s)
        first = s.get(CallAttempt, seeded.attempt_ids[0])
        assert first is not None
        late = CallAttempt(
            campaign_id=seeded.other_campaign_id,
            account_id=first.account_id,
            debtor_id=first.debtor_id,
            contact_id=first.contact_id,
            status="completed",
            started_at=datetime(2026, 3, 2, 17, 30, tzinfo=UTC),  # 01:30 on 3 March in Beijing
            outcome="answered",
            conversation=True,
            disposition="ptp",
            robot_id=HOSTILE,  # a code that looks like a formula must reach a file as text
        )
        s.add(late)
        s.flush()
        s.add(
            Promise(
                account_id=first.account_id,
                attempt_id=late.id,
                amount=50_000,
                due_date=date(2026, 3, 5),
                status="kept",
                created_at=late.started_at,
            )
        )
        user = create_user(s, "agent-r", "Agent R", "agent-password-1", Role.AGENT)
        agent = Agent(user_id=user.id, state="available", state_since=T0)
        s.add(agent)
        s.flush()
        s.add(
            Transfer(
                attempt_id=seeded.attempt_ids[2],
                campaign_id=seeded.campaign_id,
                reason="asked_for_person",
                status="wrapped",
                agent_id=agent.id,
                requested_at=T0 + timedelta(minutes=241),
                wrapped_at=T0 + timedelta(minutes=250),
                wrap_code="promise_to_pay",
            )
        )
        s.commit()
    return seeded


def test_the_report_figures_on_seeded_data(db: TestDatabase) -> None:
    seeded = seed(db)
    client = console(db, Role.AUDITOR, clock=VirtualClock(NOW))
    res = client.get("/api/reports", params=PERIOD)
    assert res.status_code == 200, res.text
    report = res.json()["report"]
    totals = report["totals"]
    assert (totals["attempts"], totals["connects"], totals["right_party_contacts"]) == (5, 3, 3)
    assert (totals["promises"], totals["amount_promised"], totals["kept"], totals["amount_kept"]) == (
        2,
        170_050,
        1,
        50_000,
    )
    assert totals["connect_rate"] == pytest.approx(0.6)
    assert totals["ptp_rate"] == pytest.approx(2 / 3)
    days = {d["day"]: (d["attempts"], d["promises"], d["kept"]) for d in report["by_day"]}
    assert days == {"2026-03-02": (4, 1, 0), "2026-03-03": (1, 1, 1)}
    campaigns = {c["campaign_id"]: c["attempts"] for c in report["by_campaign"]}
    assert campaigns == {seeded.campaign_id: 3, seeded.other_campaign_id: 2}
    # The robot closed the PTP calls itself; the abusive one asked for an agent.
    assert report["robot_dispositions"] == {"ptp": 2}
    assert report["transfers_requested"] == 1
    human = res.json()["human"]
    assert human["transfers"] == 1
    assert human["wrap_codes"] == {"promise_to_pay": 1}
    one = client.get("/api/reports", params={**PERIOD, "campaign_id": seeded.other_campaign_id}).json()
    assert one["report"]["totals"]["attempts"] == 2
    assert one["human"]["transfers"] == 0
    assert (
        client.get("/api/reports", params={"since": "2026-03-05", "until": "2026-03-01"}).status_code == 422
    )


def test_the_page_shows_the_figures_in_both_languages(db: TestDatabase) -> None:
    seed(db)
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(NOW))
    client.cookies.set("huikuan_lang", "en")
    page = client.get("/reports", params=PERIOD)
    assert page.status_code == 200
    assert 'id="total-attempts">5<' in page.text
    assert "Amount promised" in page.text
    assert 'id="export-xlsx"' in page.text
    assert NAME not in page.text
    assert PHONE not in page.text
    assert untranslated(page.text, "en") == []
    client.cookies.set("huikuan_lang", "zh_CN")
    page = client.get("/reports", params=PERIOD)
    assert "承诺还款" in page.text
    assert untranslated(page.text, "zh_CN") == []


def test_exports_in_both_formats_are_escaped_and_audited(db: TestDatabase) -> None:
    seeded = seed(db)
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(NOW))
    res = client.get("/api/reports/export", params={**PERIOD, "format": "csv", "table": "attempts"})
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert [int(r["attempt_id"]) for r in rows[:4]] == seeded.attempt_ids
    assert rows[-1]["robot_id"] == "'" + HOSTILE
    assert NAME not in res.text
    assert PHONE not in res.text
    summary = client.get("/api/reports/export", params={**PERIOD, "format": "csv"})
    head, values = list(csv.reader(io.StringIO(summary.content.decode("utf-8-sig"))))
    assert dict(zip(head, values, strict=True))["attempts"] == "5"
    res = client.get("/api/reports/export", params={**PERIOD, "format": "xlsx"})
    assert res.status_code == 200
    book = load_workbook(io.BytesIO(res.content))
    assert book.sheetnames == ["summary", "days", "campaigns", "handlers", "attempts"]
    attempts = [[c.value for c in r] for r in book["attempts"].iter_rows()]
    assert attempts[-1][attempts[0].index("robot_id")] == "'" + HOSTILE
    assert all(c.data_type != "f" for sheet in book for r in sheet.iter_rows() for c in r)
    assert [r[:2] for r in book["handlers"].iter_rows(values_only=True)][1:] == [
        ("robot", "ptp"),
        ("agent", "promise_to_pay"),
        ("transfer_status", "wrapped"),
    ]
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "export.report")).all()
        assert [(e.details["format"], e.details["attempts"]) for e in events] == [
            ("csv", 5),
            ("csv", 0),
            ("xlsx", 5),
        ]
        assert events[0].details["since"].startswith("2026-02-28T16:00")  # 1 March 00:00 in Beijing
        assert NAME not in str(events[0].details)


@pytest.mark.parametrize(
    ("role", "status"), [(Role.SUPERVISOR, 200), (Role.COMPLIANCE_OFFICER, 200), (Role.AUDITOR, 403)]
)
def test_the_export_follows_the_permission_matrix(db: TestDatabase, role: Role, status: int) -> None:
    client = console(db, role, clock=VirtualClock(NOW))
    assert client.get("/api/reports/export", params={"format": "csv"}).status_code == status
    page = client.get("/reports")
    assert page.status_code == 200
    assert ('id="export-xlsx"' in page.text) is (status == 200)


def test_a_period_the_report_refuses_is_explained_on_the_page_keeping_the_days(db: TestDatabase) -> None:
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(NOW))
    client.cookies.set("huikuan_lang", "en")
    page = client.get("/reports", params={"since": "2026-03-05", "until": "2026-03-01"})
    assert page.status_code == 422
    assert "the end day is before the start day" in page.text
    assert 'value="2026-03-05"' in page.text
    assert 'value="2026-03-01"' in page.text
    assert untranslated(page.text, "en") == []
    client.cookies.set("huikuan_lang", "zh_CN")
    page = client.get("/reports", params={"since": "2025-01-01", "until": "2026-03-01"})
    assert "日期范围过长" in page.text
    assert untranslated(page.text, "zh_CN") == []
