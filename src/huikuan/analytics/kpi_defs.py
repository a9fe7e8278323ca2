"""The KPI definitions (指标定义): one table, read by the computation, the API, the report files
and docs/reports.md. Each KPI states its numerator, denominator and period rule."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KpiDef:
    key: str
    zh: str
    en: str
    numerator: str
    denominator: str  # "" for a count or an amount
    period: str
    unit: str = "rate"  # rate | count | yuan | yuan_per_yuan


PERIOD_ATTEMPTS = "attempts started in [from, to) / 期间开始的拨打"
PERIOD_ACCOUNTS = (
    "accounts called in [from, to), each counted in the group of its last attempt of the period / "
    "期间拨打过的账户，按期间最后一次拨打归组"
)

KPIS: tuple[KpiDef, ...] = (
    KpiDef("attempts", "拨打次数", "Attempts", "call attempts", "", PERIOD_ATTEMPTS, "count"),
    KpiDef("connect_rate", "接通率", "Connect rate", "attempts answered", "attempts", PERIOD_ATTEMPTS),
    KpiDef(
        "rpc_rate",
        "本人接触率",
        "Right-party contact rate",
        "attempts where the debtor was reached and spoke",
        "attempts",
        PERIOD_ATTEMPTS,
    ),
    KpiDef(
        "ptp_rate",
        "承诺还款率",
        "PTP rate",
        "promises made on these attempts",
        "right-party contacts",
        PERIOD_ATTEMPTS,
    ),
    KpiDef(
        "ptp_kept_rate",
        "承诺兑现率",
        "PTP kept rate",
        "promises made on these attempts now kept",
        "those promises settled (kept or broken; pending ones excluded)",
        PERIOD_ATTEMPTS,
    ),
    KpiDef(
        "amount_collected",
        "回款金额",
        "Amount collected",
        "payments paid in [from, to) on the accounts called in the period (yuan)",
        "",
        PERIOD_ACCOUNTS,
        "yuan",
    ),
    KpiDef(
        "recovery_rate",
        "回收率",
        "Recovery rate",
        "amount collected",
        "balance at the period start: outstanding now + payments paid since the start",
        PERIOD_ACCOUNTS,
    ),
    KpiDef(
        "roll_rate",
        "迁徙率（恶化）",
        "Roll rate (forward)",
        "accounts whose bucket on their last treatment decision of the period is later than on their first",
        "accounts with a treatment decision in the period",
        PERIOD_ACCOUNTS,
    ),
    KpiDef(
        "cure_rate",
        "治愈率",
        "Cure rate",
        "of those, accounts with nothing overdue now",
        "accounts overdue (M1 or later) on their first treatment decision of the period",
        PERIOD_ACCOUNTS,
    ),
    KpiDef(
        "cost_to_collect",
        "催收成本比",
        "Cost to collect",
        "robot talk minutes × robot cost per minute + agent talk hours × agent cost per hour (yuan)",
        "amount collected (yuan)",
        PERIOD_ATTEMPTS,
        "yuan_per_yuan",
    ),
    KpiDef(
        "complaint_rate",
        "投诉率",
        "Complaint rate",
        "complaints opened in the period on these attempts",
        "right-party contacts",
        PERIOD_ATTEMPTS,
    ),
)
BY_KEY = {k.key: k for k in KPIS}

# Cuts of the KPIs: (key, 中文, English).
DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("handler", "AI 与人工", "AI vs human"),
    ("robot", "机器人", "Robot"),
    ("agent", "坐席", "Agent"),
    ("script", "话术", "Script"),
    ("segment", "客群", "Segment"),
    ("bucket", "账龄", "Bucket"),
    ("campaign", "活动", "Campaign"),
    ("creditor", "委托方", "Creditor"),
)
DIMENSION_KEYS = tuple(d[0] for d in DIMENSIONS)
NONE = "none"  # the value of a dimension an attempt has none of (no agent, no decision…)


@dataclass(frozen=True, slots=True)
class Costs:
    """What an operator pays, in fen: not in the data, so a setting (HUIKUAN_COST_ROBOT_MINUTE,
    HUIKUAN_COST_AGENT_HOUR, in yuan) with defaults of ¥0.10 per robot minute and ¥40 per agent hour."""

    robot_minute: int = 10
    agent_hour: int = 4000

    @classmethod
    def from_env(cls) -> Costs:
        def fen(name: str, default: int) -> int:
            text = os.environ.get(name)
            if not text:
                return default
            try:
                value = round(float(text) * 100)
            except ValueError:
                raise ValueError(f"{name} is not an amount in yuan") from None
            if value < 0:
                raise ValueError(f"{name} must not be negative")
            return value

        return cls(fen("HUIKUAN_COST_ROBOT_MINUTE", 10), fen("HUIKUAN_COST_AGENT_HOUR", 4000))
