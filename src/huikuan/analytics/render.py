"""KPI rows with bilingual labels, shared by the terminal table and the console page."""

from __future__ import annotations

from rich.table import Table

from huikuan.analytics.schemas import Kpis


def kpi_rows(kpis: Kpis) -> list[tuple[str, str, str]]:
    """(中文, English, value) for each headline KPI, in the order people read them."""
    rows = [
        ("拨打次数", "Attempts", f"{kpis.attempts:,}"),
        ("接通", "Connects", f"{kpis.connects:,} ({kpis.connect_rate:.1%})"),
        ("本人接触", "Right-party contacts", f"{kpis.right_party_contacts:,} ({kpis.rpc_rate:.1%})"),
        ("承诺还款", "Promises to pay", f"{kpis.promises:,}"),
        ("承诺金额", "Amount promised", f"¥{kpis.amount_promised / 100:,.2f}"),
        ("转人工请求", "Transfers requested", f"{kpis.transfers_requested:,}"),
        ("辱骂挂断", "Abusive hang-ups", f"{kpis.abusive_hangups:,}"),
        ("合规拒绝", "Contacts denied by rule", f"{kpis.denied_total:,}"),
    ]
    rows += [(f"  · {rule}", f"  · {rule}", f"{n:,}") for rule, n in kpis.denied_by_rule.items()]
    return rows


def kpi_table(kpis: Kpis, title: str = "今日催收 KPI / Collection KPIs") -> Table:
    table = Table(title=title)
    table.add_column("指标")
    table.add_column("KPI")
    table.add_column("数值 / Value", justify="right")
    for zh, en, value in kpi_rows(kpis):
        table.add_row(zh, en, value)
    return table
