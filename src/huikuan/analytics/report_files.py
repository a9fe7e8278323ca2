"""The KPI report as rows: CSV in long format, and the sheets of the workbook (one per
dimension, plus the definitions and the fairness view). Codes and ids only; headers bilingual."""

from __future__ import annotations

from collections.abc import Sequence

from huikuan.analytics.fairness import MEASURES
from huikuan.analytics.kpi_defs import DIMENSIONS, KPIS
from huikuan.analytics.kpi_report import KpiReport
from huikuan.analytics.kpis import KpiValue

Rows = list[Sequence[object]]
LONG_HEAD = ("dimension", "value", "kpi", "numerator", "denominator", "rate")


MONEY = frozenset({"amount_collected", "recovery_rate", "cost_to_collect"})  # fen in, yuan out


def cells(key: str, v: KpiValue) -> tuple[object, object, object]:
    """numerator, denominator, rate (or the count, or yuan) as written: money in yuan."""
    scale = 100 if key in MONEY else 1
    num: object = v.numerator / scale if scale > 1 else v.numerator
    den: object = "" if v.denominator is None else (v.denominator / scale if scale > 1 else v.denominator)
    rate: object = "" if v.value is None else round(v.value, 6)
    return num, den, rate


def long_rows(report: KpiReport) -> Rows:
    """CSV: one row per (dimension, value, KPI); the totals as dimension "all"."""
    rows: Rows = [LONG_HEAD]
    rows += [("all", "all", k, *cells(k, v)) for k, v in report.table.totals.items()]
    for dim, groups in report.table.by.items():
        for g in groups:
            rows += [(dim, g.value, k, *cells(k, v)) for k, v in g.kpis.items()]
    return rows


def definition_rows() -> Rows:
    rows: Rows = [("kpi", "指标", "KPI", "分子 / numerator", "分母 / denominator", "期间 / period", "unit")]
    rows += [(k.key, k.zh, k.en, k.numerator, k.denominator, k.period, k.unit) for k in KPIS]
    return rows


def dimension_rows(report: KpiReport, dim: str) -> Rows:
    """One sheet: a row per group, the KPI values (rates, counts, yuan) as columns."""
    head: list[object] = [dim]
    head += [f"{k.zh} / {k.en}" for k in KPIS]
    rows: Rows = [head]
    for g in report.table.by.get(dim, []):
        rows.append([g.value, *(cells(k.key, g.kpis[k.key])[2] for k in KPIS)])
    rows.append(["all", *(cells(k.key, report.table.totals[k.key])[2] for k in KPIS)])
    return rows


def fairness_rows(report: KpiReport) -> Rows:
    f = report.fairness
    rows: Rows = [
        (
            "dimension",
            "group",
            "measure",
            "numerator",
            "denominator",
            "rate",
            "overall",
            "z",
            "p_value",
            "flagged / 标记",
        )
    ]
    rows += [
        (
            c.dimension,
            c.group,
            c.measure,
            c.numerator,
            c.denominator,
            "" if c.rate is None else round(c.rate, 6),
            "" if c.overall is None else round(c.overall, 6),
            "" if c.z is None else c.z,
            "" if c.p_value is None else round(c.p_value, 6),
            "yes" if c.flagged else "",
        )
        for c in f.cells
    ]
    return rows


def sheets(report: KpiReport) -> dict[str, Rows]:
    """Workbook sheets: definitions, one per dimension (in `DIMENSIONS` order), fairness, method."""
    out: dict[str, Rows] = {"definitions": definition_rows()}
    for key, _zh, _en in DIMENSIONS:
        if key in report.table.by:
            out[key] = dimension_rows(report, key)
    out["fairness"] = fairness_rows(report)
    f = report.fairness
    out["fairness_method"] = [
        ("setting", "value"),
        ("min_group", f.min_group),
        ("threshold_abs", f.threshold),
        ("alpha", f.alpha),
        ("test", "two-proportion z-test, group vs the rest / 双比例 z 检验"),
        *((f"measure:{k}", f"{zh} / {en}") for k, zh, en, _n, _d in MEASURES),
    ]
    return out
