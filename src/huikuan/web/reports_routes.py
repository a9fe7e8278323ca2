"""Reports (报表): the analytics KPIs and charts for a period and campaign, AI vs human, and the
exports (XLSX and CSV; ids and codes only, every cell formula-safe, audited).

Figures come from `huikuan.analytics.service` (attempts, contacts, promises) and
`huikuan.desk.report` (what agents did with transferred calls); this module only reads the
filter, puts the two side by side, and writes files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from huikuan.analytics import service
from huikuan.analytics.schemas import AttemptRow, Figures, Report
from huikuan.desk.report import HumanOutcomes, human_outcomes
from huikuan.dialer.listing import campaign_names
from huikuan.errors import InvalidInput
from huikuan.security import audit
from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed
from huikuan.security.spreadsheet import csv_bytes, xlsx_bytes
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import OptionalRowIdQuery
from huikuan.web.i18n import N_, lang_of, translate
from huikuan.web.labels import label
from huikuan.web.pages import pick, render, timezone_of

router = APIRouter()
Viewer = Annotated[User, Depends(Requires(Permission.VIEW_REPORTS))]
Exporter = Annotated[User, Depends(Requires(Permission.EXPORT))]
DEFAULT_DAYS = 14
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DayQuery = Annotated[date | None, Query(description="local day, YYYY-MM-DD")]


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class ExportTable(StrEnum):
    """Which table a CSV holds (a workbook holds them all, one sheet each)."""

    SUMMARY = "summary"
    DAYS = "days"
    CAMPAIGNS = "campaigns"
    HANDLERS = "handlers"
    ATTEMPTS = "attempts"


class ReportOut(BaseModel):
    """The report figures: the analytics report and what agents did with transfers."""

    report: Report
    human: HumanOutcomes


def _report(
    request: Request, session: Session, since: date | None, until: date | None, campaign_id: int | None
) -> ReportOut:
    zone = timezone_of(request)
    last = until or clock_of(request).now().astimezone(ZoneInfo(zone)).date()
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    start, end = service.day_range(first, last, zone)
    report = service.build_report(session, start, end, zone, campaign_id)
    return ReportOut(report=report, human=human_outcomes(session, start, end, campaign_id))


@router.get("/api/reports", response_model=ReportOut)
def report_figures(
    request: Request,
    _user: Viewer,
    session: SessionDep,
    since: DayQuery = None,
    until: DayQuery = None,
    campaign_id: OptionalRowIdQuery = None,
) -> ReportOut:
    """The report of local days since..until (both included; default the last 14), one campaign or all."""
    return _report(request, session, since, until, campaign_id)


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(
    request: Request,
    user: Viewer,
    session: SessionDep,
    since: DayQuery = None,
    until: DayQuery = None,
    campaign_id: OptionalRowIdQuery = None,
) -> HTMLResponse:
    lang = lang_of(request)
    error = None
    try:
        out = _report(request, session, since, until, campaign_id)
    except InvalidInput as exc:
        # A period the report refuses: say why, keep the days typed, show the default period.
        error = pick(lang, exc.message)
        out = _report(request, session, None, None, campaign_id)
    zone = ZoneInfo(out.report.timezone)
    first = since or out.report.since.astimezone(zone).date()
    last = until or (out.report.until.astimezone(zone) - timedelta(days=1)).date()
    names = campaign_names(session)
    return render(
        request,
        "reports/index.html",
        {
            "out": out,
            "since": first,
            "until": last,
            "campaign_id": campaign_id,
            "campaigns": names,
            "chart": _chart_data(out, names, lang),
            "can_export": allowed(user.role, Permission.EXPORT),
            "error": error,
        },
        user=user,
        status_code=200 if error is None else 422,
    )


def _campaign_name(cid: int | None, names: dict[int, str], lang: str) -> str:
    if cid is None:
        return translate(lang, N_("No campaign"))
    return names.get(cid, f"#{cid}")


def _chart_data(out: ReportOut, names: dict[int, str], lang: str) -> dict[str, object]:
    """What the page's charts draw, labels already in the visitor's language."""
    r = out.report

    def t(text: str) -> str:
        return translate(lang, text)

    return {
        "days": [d.day.isoformat() for d in r.by_day],
        "attempts": [d.attempts for d in r.by_day],
        "rates": {
            t(N_("Connect rate")): [round(d.connect_rate * 100, 1) for d in r.by_day],
            t(N_("Right-party rate")): [round(d.rpc_rate * 100, 1) for d in r.by_day],
            t(N_("PTP rate")): [round(d.ptp_rate * 100, 1) for d in r.by_day],
        },
        "promised": [d.amount_promised / 100 for d in r.by_day],
        "kept": [d.amount_kept / 100 for d in r.by_day],
        "campaigns": [_campaign_name(c.campaign_id, names, lang) for c in r.by_campaign],
        "campaign_attempts": [c.attempts for c in r.by_campaign],
        "campaign_promises": [c.promises for c in r.by_campaign],
        # Robot and agent codes can share words ("Promise to pay"): each slice says who closed it.
        "robot": {
            f"{t(N_('Robot'))} · {label(lang, 'disposition', k)}": v
            for k, v in sorted(r.robot_dispositions.items())
        },
        "human": {
            f"{t(N_('Agent'))} · {label(lang, 'wrap_code', k)}": v
            for k, v in sorted(out.human.wrap_codes.items())
        },
        "text": {
            "attempts": t(N_("Attempts")),
            "percent": t(N_("Rate (%)")),
            "promised": t(N_("Amount promised (¥)")),
            "kept": t(N_("Amount kept (¥)")),
            "promises": t(N_("Promises to pay")),
        },
    }


# -- exports ---------------------------------------------------------------------------------------

FIGURE_COLUMNS = (
    "attempts",
    "connects",
    "right_party_contacts",
    "promises",
    "amount_promised",
    "kept",
    "amount_kept",
    "connect_rate",
    "rpc_rate",
    "ptp_rate",
    "kept_rate",
)


def _figure_cells(f: Figures) -> list[object]:
    cells: list[object] = []
    for name in FIGURE_COLUMNS:
        value = getattr(f, name)
        cells.append(
            value / 100 if name.startswith("amount") else round(value, 4) if name.endswith("rate") else value
        )
    return cells


def _summary_rows(out: ReportOut) -> list[Sequence[object]]:
    r = out.report
    head = [
        "since",
        "until",
        "timezone",
        "campaign_id",
        *FIGURE_COLUMNS,
        "robot_handled",
        "transfers_requested",
    ]
    row = [r.since.isoformat(), r.until.isoformat(), r.timezone, r.campaign_id, *_figure_cells(r.totals)]
    return [head, [*row, r.robot_handled, r.transfers_requested]]


def _day_rows(out: ReportOut) -> list[Sequence[object]]:
    return [["day", *FIGURE_COLUMNS], *[[d.day.isoformat(), *_figure_cells(d)] for d in out.report.by_day]]


def _campaign_rows(out: ReportOut) -> list[Sequence[object]]:
    rows: list[Sequence[object]] = [["campaign_id", *FIGURE_COLUMNS]]
    rows += [[c.campaign_id, *_figure_cells(c)] for c in out.report.by_campaign]
    return rows


def _handler_rows(out: ReportOut) -> list[Sequence[object]]:
    """AI vs human: the robots' own dispositions, then the agents' wrap-up codes (codes, not words:
    a file is read by tools in any language)."""
    rows: list[Sequence[object]] = [["handled_by", "code", "calls"]]
    rows += [["robot", code, n] for code, n in sorted(out.report.robot_dispositions.items())]
    rows += [["agent", code, n] for code, n in sorted(out.human.wrap_codes.items())]
    rows += [["transfer_status", status, n] for status, n in sorted(out.human.by_status.items())]
    return rows


ATTEMPT_COLUMNS = tuple(AttemptRow.model_fields)


def _attempt_rows(attempts: Iterable[AttemptRow], counter: list[int]) -> Iterable[Sequence[object]]:
    yield ATTEMPT_COLUMNS
    for a in attempts:
        counter[0] += 1
        values = a.model_dump()
        values["started_at"] = a.started_at.isoformat()
        yield [values[name] for name in ATTEMPT_COLUMNS]


@router.get(
    "/api/reports/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}},
)
def export(
    request: Request,
    user: Exporter,
    session: SessionDep,
    format: ExportFormat = ExportFormat.XLSX,
    table: ExportTable = ExportTable.SUMMARY,
    since: DayQuery = None,
    until: DayQuery = None,
    campaign_id: OptionalRowIdQuery = None,
) -> Response:
    """The report as a file: XLSX with every table a sheet, or one table as CSV (ids only)."""
    out = _report(request, session, since, until, campaign_id)
    r = out.report
    counter = [0]
    attempts = _attempt_rows(service.attempt_rows(session, r.since, r.until, campaign_id), counter)
    tables = {
        ExportTable.SUMMARY: _summary_rows(out),
        ExportTable.DAYS: _day_rows(out),
        ExportTable.CAMPAIGNS: _campaign_rows(out),
        ExportTable.HANDLERS: _handler_rows(out),
    }
    stem = f"report-{r.since.date().isoformat()}-{r.until.date().isoformat()}"
    if format == ExportFormat.XLSX:
        body = xlsx_bytes(
            {**{t.value: rows for t, rows in tables.items()}, ExportTable.ATTEMPTS.value: attempts}
        )
        media, name = XLSX_TYPE, f"{stem}.xlsx"
    else:
        rows = attempts if table == ExportTable.ATTEMPTS else tables[table]
        body = csv_bytes(rows)
        media, name = "text/csv; charset=utf-8", f"{stem}-{table.value}.csv"
    audit.append(
        session,
        at=clock_of(request).now(),
        actor=f"user:{user.id}",
        action="export.report",
        entity="report",
        details={
            "format": format.value,
            "table": "all" if format == ExportFormat.XLSX else table.value,
            "since": r.since.isoformat(),
            "until": r.until.isoformat(),
            "campaign_id": campaign_id,
            "attempts": counter[0],
        },
    )
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
