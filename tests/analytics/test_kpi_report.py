"""The KPI report on a hand-built history: every KPI equals the hand count, in total and cut by
each dimension; unknown dimensions are refused."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from huikuan.analytics.kpi_defs import DIMENSION_KEYS, KPIS, Costs
from huikuan.analytics.kpi_report import KpiReport, build
from huikuan.analytics.kpis import KpiValue
from huikuan.analytics.service import day_range
from huikuan.errors import InvalidInput
from tests.analytics.kpi_seed import DAY, seed_kpis

ZONE = "Asia/Shanghai"
COSTS = Costs(robot_minute=60, agent_hour=3600)  # 1 fen per robot second, 1 fen per agent second


def report_of(session: Session) -> KpiReport:
    seeded = seed_kpis(session)
    since, until = day_range(DAY, DAY, ZONE)
    return build(session, since, until, ZONE, DAY, agents=seeded.agents, costs=COSTS)


def pair(v: KpiValue) -> tuple[int, int | None]:
    return v.numerator, v.denominator


def test_totals_equal_the_hand_count(session: Session) -> None:
    t = report_of(session).table.totals
    assert t["attempts"].value == 5
    assert pair(t["connect_rate"]) == (4, 5)
    assert pair(t["rpc_rate"]) == (4, 5)
    assert pair(t["ptp_rate"]) == (3, 4)  # the pending promise counts as made
    assert pair(t["ptp_kept_rate"]) == (1, 2)  # ... but not as settled
    assert t["amount_collected"].numerator == 30_000
    assert t["amount_collected"].value == 300.0
    # opening: A1 100,000 now + 30,000 + 10,000 paid since the start; A2 200,000 (paid before)
    assert pair(t["recovery_rate"]) == (30_000, 340_000)
    assert pair(t["roll_rate"]) == (1, 2)  # A2 went M2 → M3, A1 stayed M1
    assert pair(t["cure_rate"]) == (1, 2)  # A1 owes nothing overdue now
    # robot: 120 + max(0, 60 − 600) + 10 + 30 = 160 s; agent: 600 s
    assert pair(t["cost_to_collect"]) == (760, 30_000)
    assert pair(t["complaint_rate"]) == (1, 4)
    assert t["connect_rate"].value == pytest.approx(0.8)
    assert set(t) == {k.key for k in KPIS}


def test_cuts_equal_the_hand_count(session: Session) -> None:
    by = report_of(session).table.by
    assert list(by) == list(DIMENSION_KEYS)

    def cut(dim: str, kpi: str) -> dict[str, tuple[int, int | None]]:
        return {g.value: pair(g.kpis[kpi]) for g in by[dim]}

    assert cut("handler", "attempts") == {"ai": (4, None), "human": (1, None)}
    assert cut("handler", "ptp_kept_rate") == {"ai": (1, 1), "human": (0, 1)}
    # accounts go to the group of their last attempt of the period: both end on the robot
    assert cut("handler", "recovery_rate") == {"ai": (30_000, 340_000), "human": (0, 0)}
    assert next(g for g in by["handler"] if g.value == "human").kpis["recovery_rate"].value is None
    assert cut("agent", "complaint_rate") == {"none": (0, 3), "agent:7": (1, 1)}
    assert cut("robot", "connect_rate") == {"R1": (2, 3), "R2": (2, 2)}
    assert cut("creditor", "amount_collected") == {"c1": (30_000, None), "c2": (0, None)}
    assert cut("bucket", "attempts") == {"M1": (3, None), "M2": (1, None), "M3": (1, None)}
    assert cut("segment", "attempts") == {"none": (1, None), "hardship": (2, None), "willing": (2, None)}
    assert cut("script", "ptp_rate") == {
        "none": (0, 1),
        "hardship": (1, 1),
        "notice": (1, 1),
        "reminder": (1, 1),
    }
    assert cut("creditor", "roll_rate") == {"c1": (0, 1), "c2": (1, 1)}
    assert cut("handler", "cost_to_collect") == {"ai": (160, 30_000), "human": (600, 0)}


def test_campaign_cut_and_groups_add_up_to_the_totals(session: Session) -> None:
    r = report_of(session).table
    for dim, groups in r.by.items():
        for kpi in ("attempts", "ptp_rate", "amount_collected", "recovery_rate", "cure_rate"):
            assert sum(g.kpis[kpi].numerator for g in groups) == r.totals[kpi].numerator, (dim, kpi)
    assert len(r.by["campaign"]) == 2


def test_an_unknown_dimension_is_refused(session: Session) -> None:
    since, until = day_range(DAY, DAY, ZONE)
    with pytest.raises(InvalidInput, match="unknown dimension"):
        build(session, since, until, ZONE, DAY, dimensions=("robot", "name"))


def test_an_empty_period_has_no_rates(session: Session) -> None:
    since, until = day_range(DAY, DAY, ZONE)
    r = build(session, since, until, ZONE, DAY)
    assert r.table.totals["attempts"].value == 0
    assert r.table.totals["connect_rate"].value is None
    assert all(groups == [] for groups in r.table.by.values())


def test_cost_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIKUAN_COST_ROBOT_MINUTE", "0.25")
    monkeypatch.setenv("HUIKUAN_COST_AGENT_HOUR", "55")
    assert Costs.from_env() == Costs(robot_minute=25, agent_hour=5500)
    monkeypatch.setenv("HUIKUAN_COST_AGENT_HOUR", "lots")
    with pytest.raises(ValueError, match="HUIKUAN_COST_AGENT_HOUR"):
        Costs.from_env()
