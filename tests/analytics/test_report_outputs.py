"""The KPI report's outputs: the API, the CSV, the workbook (opened with openpyxl), the HTML
(opened in Chromium, screenshot kept in var/screenshots/report.png) and the command line, all
showing the same numbers; the agent cut comes from the desk's transfers."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from huikuan.analytics.kpi_defs import DIMENSION_KEYS, KPIS
from huikuan.cli.main import app
from huikuan.cli.report import kpi_report, report_bytes
from huikuan.clock import VirtualClock
from huikuan.desk.models import Agent, Transfer
from huikuan.security.users import Role, create_user
from tests.analytics.kpi_seed import DAY, T0, KpiSeed, seed_kpis
from tests.conftest import TestDatabase
from tests.web.browser import chromium, screenshot
from tests.web.login import console

ZONE = "Asia/Shanghai"
NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
COMMAND = (sys.executable, "-m", "huikuan", "report")


def seed(db: TestDatabase) -> KpiSeed:
    """The hand-built history, with the transferred call (a3) taken by a desk agent for 600 s."""
    with db.session() as s:
        seeded = seed_kpis(s)
        user = create_user(s, "agent-k", "Agent K", "agent-password-1", Role.AGENT)
        agent = Agent(user_id=user.id, state="available", state_since=T0)
        s.add(agent)
        s.flush()
        s.add(
            Transfer(
                attempt_id=seeded.attempt_ids[2],
                campaign_id=seeded.campaigns["Y"],
                reason="asked_for_person",
                status="wrapped",
                agent_id=agent.id,
                requested_at=T0 + timedelta(hours=2),
                accepted_at=T0 + timedelta(hours=2, minutes=1),
                wrapped_at=T0 + timedelta(hours=2, minutes=11),
                wrap_code="promise_to_pay",
            )
        )
        s.commit()
        seeded.agents = {seeded.attempt_ids[2]: (f"agent:{agent.id}", 600)}
    return seeded


def api_long(payload: dict[str, object]) -> dict[tuple[str, str, str], tuple[float, float | None]]:
    """(dimension, value, kpi) → (numerator, denominator) from the API's JSON, money in yuan."""
    money = {"amount_collected", "recovery_rate", "cost_to_collect"}
    table = payload["table"]
    assert isinstance(table, dict)
    out: dict[tuple[str, str, str], tuple[float, float | None]] = {}

    def put(dim: str, value: str, kpis: dict[str, dict[str, int | None]]) -> None:
        for key, v in kpis.items():
            scale = 100 if key in money else 1
            num, den = v["numerator"], v["denominator"]
            assert num is not None
            out[(dim, value, key)] = (num / scale, None if den is None else den / scale)

    put("all", "all", table["totals"])
    for dim, groups in table["by"].items():
        for g in groups:
            put(dim, g["value"], g["kpis"])
    return out


def csv_long(body: bytes) -> dict[tuple[str, str, str], tuple[float, float | None]]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return {
        (r["dimension"], r["value"], r["kpi"]): (
            float(r["numerator"]),
            None if r["denominator"] == "" else float(r["denominator"]),
        )
        for r in rows
    }


def test_csv_and_workbook_equal_the_kpi_api(db: TestDatabase) -> None:
    seeded = seed(db)
    client = console(db, Role.AUDITOR, clock=VirtualClock(NOW))
    res = client.get("/api/kpis/report", params={"since": "2026-03-02", "until": "2026-03-02"})
    assert res.status_code == 200, res.text
    api = api_long(res.json())
    assert api[("agent", f"agent:{seeded.agents[seeded.attempt_ids[2]][0][6:]}", "complaint_rate")] == (1, 1)
    assert api[("handler", "human", "attempts")] == (1, None)
    with db.session() as s:
        report = kpi_report(s, DAY, DAY, ZONE)
    assert csv_long(report_bytes(report, "csv")) == api
    book = load_workbook(io.BytesIO(report_bytes(report, "xlsx")), read_only=True)
    assert book.sheetnames == ["definitions", *DIMENSION_KEYS, "fairness", "fairness_method"]
    defs = list(book["definitions"].iter_rows(values_only=True))
    assert [r[0] for r in defs[1:]] == [k.key for k in KPIS]
    robots = {r[0]: r for r in book["robot"].iter_rows(min_row=2, values_only=True)}
    connect = 1 + [k.key for k in KPIS].index("connect_rate")
    for robot in ("R1", "R2"):
        num, den = api[("robot", robot, "connect_rate")]
        assert den
        assert robots[robot][connect] == pytest.approx(num / den)
    assert robots["all"][connect] == pytest.approx(0.8)
    fair = list(book["fairness"].iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[1]) for r in fair} >= {("region", "广东"), ("dialect", "yue"), ("age_band", "55+")}


def test_the_api_refuses_bad_input(db: TestDatabase) -> None:
    client = console(db, Role.AUDITOR, clock=VirtualClock(NOW))
    assert client.get("/api/kpis/report", params={"by": "robot,phone"}).status_code == 422
    assert (
        client.get("/api/kpis/report", params={"since": "2026-03-05", "until": "2026-03-01"}).status_code
        == 422
    )
    one = client.get("/api/kpis/report", params={"by": "creditor"}).json()
    assert list(one["table"]["by"]) == ["creditor"]


def test_the_html_report_renders_in_chromium(db: TestDatabase, tmp_path: Path) -> None:
    seed(db)
    with db.session() as s:
        report = kpi_report(s, DAY, DAY, ZONE)
    html = report_bytes(report, "html").decode("utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing fetched: Chart.js is inlined
    assert "https://" not in html.replace("https://www.chartjs.org", "").replace("https://github.com", "")
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function("document.body.dataset.charts !== undefined")
        assert errors == []
        assert page.evaluate("document.body.dataset.charts") == str(len(DIMENSION_KEYS) + 3)
        # every chart drew on its canvas
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('canvas')).map(c => Chart.getChart(c) ? 1 : 0)"
        )
        assert drawn == [1] * (len(DIMENSION_KEYS) + 3)
        totals = page.locator("#totals td[data-kpi='connect_rate']").inner_text()
        assert totals == f"{report.table.totals['connect_rate'].value:.1%}"
        assert page.locator("#totals td[data-kpi='attempts']").inner_text() == "5"
        assert page.locator("h1").inner_text().startswith("催收报表")
        assert page.locator("#flag-count").inner_text().endswith(str(len(report.fairness.flagged)))
        png = screenshot(page, "report")
    assert png.stat().st_size > 10_000


def test_the_command_writes_a_workbook_and_refuses_bad_input(db: TestDatabase, tmp_path: Path) -> None:
    seed(db)
    out = tmp_path / "r.xlsx"
    done = subprocess.run(
        [*COMMAND, "--from", "2026-03-02", "--to", "2026-03-02", "--format", "xlsx", "-o", str(out)],
        env={**db.env(), "PYTHONPATH": str(ROOT / "src")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    book = load_workbook(out, read_only=True)
    handler = {r[0]: r[1] for r in book["handler"].iter_rows(min_row=2, values_only=True)}
    assert handler == {"ai": 4, "human": 1, "all": 5}
    runner = CliRunner()
    for args, word in (
        (["--from", "2026-02-30", "--to", "2026-03-02"], "--from"),
        (["--from", "2026-03-02", "--to", "tomorrow"], "--to"),
        (["--from", "2026-03-02", "--to", "2026-03-02", "--format", "pdf"], "--format"),
        (["--from", "2026-03-05", "--to", "2026-03-02"], "end day"),
    ):
        result = runner.invoke(app, ["report", *args])
        assert result.exit_code == 2, (args, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1, result.output
        assert lines[0].startswith("error:")
        assert word in lines[0]
