"""The KPI report as one self-contained HTML file: definitions, a table and a chart per
dimension, and the fairness view. Chart.js is inlined from the vendored copy (no CDN, no
network: the file opens anywhere). Text is Chinese first, English after."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from huikuan.analytics.fairness import DIMENSIONS as FAIR_DIMENSIONS
from huikuan.analytics.fairness import MEASURES
from huikuan.analytics.kpi_defs import DIMENSIONS, KPIS
from huikuan.analytics.kpi_report import KpiReport
from huikuan.analytics.report_files import cells

HERE = Path(__file__).resolve().parent
CHART_JS = HERE.parent / "web" / "static" / "vendor" / "chart.umd.min.js"
CHARTED = ("connect_rate", "rpc_rate", "ptp_rate")


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def _shown(key: str, value: object) -> str:
    if value == "":
        return "–"
    if key in ("attempts",):
        return f"{int(value):,}"  # type: ignore[call-overload]
    if key == "amount_collected":
        return f"¥{value:,.2f}"
    if key == "cost_to_collect":
        return f"{value:.4f}"
    return f"{float(value):.1%}"  # type: ignore[arg-type]


def render_html(report: KpiReport) -> str:
    t = report.table
    dims = [(k, zh, en) for k, zh, en in DIMENSIONS if k in t.by]
    tables = {
        k: [(g.value, [_shown(d.key, cells(d.key, g.kpis[d.key])[2]) for d in KPIS]) for g in t.by[k]]
        for k, _zh, _en in dims
    }
    charts = {
        k: {
            "labels": [g.value for g in t.by[k]],
            "series": {
                f"{d.zh} / {d.en}": [round((g.kpis[d.key].value or 0) * 100, 2) for g in t.by[k]]
                for d in KPIS
                if d.key in CHARTED
            },
        }
        for k, _zh, _en in dims
    }
    fair_charts = {
        dim: {
            "labels": sorted({c.group for c in report.fairness.cells if c.dimension == dim}),
            "series": {
                f"{zh} / {en}": [
                    round((c.rate or 0) * 100, 2)
                    for c in sorted(
                        (c for c in report.fairness.cells if c.dimension == dim and c.measure == key),
                        key=lambda c: c.group,
                    )
                ]
                for key, zh, en, _n, _d in MEASURES
            },
        }
        for dim in FAIR_DIMENSIONS
    }
    return (
        _env()
        .get_template("kpi_report.html")
        .render(
            t=t,
            kpis=KPIS,
            dims=dims,
            tables=tables,
            totals=[_shown(d.key, cells(d.key, t.totals[d.key])[2]) for d in KPIS],
            fairness=report.fairness,
            fair_dims=FAIR_DIMENSIONS,
            measures={k: (zh, en) for k, zh, en, _n, _d in MEASURES},
            data={"charts": charts, "fairness": fair_charts},
            chart_js=CHART_JS.read_text(encoding="utf-8"),
        )
    )
