"""The KPI report of a period: the KPI table by every dimension and the fairness view, one read
of the data for both. The API, the CLI and the files all come from `build`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from huikuan.analytics.fairness import FairnessView, fairness
from huikuan.analytics.kpi_defs import DIMENSION_KEYS, Costs
from huikuan.analytics.kpis import KpiTable, collect, kpi_table
from huikuan.errors import InvalidInput


class KpiReport(BaseModel):
    table: KpiTable
    fairness: FairnessView


def build(
    session: Session,
    since: datetime,
    until: datetime,
    zone: str,
    today: date,
    *,
    agents: Mapping[int, tuple[str, int]] | None = None,
    dimensions: tuple[str, ...] = DIMENSION_KEYS,
    costs: Costs | None = None,
) -> KpiReport:
    """The report of attempts started in [since, until); `agents` from `desk.report.agents_by_attempt`."""
    unknown = [d for d in dimensions if d not in DIMENSION_KEYS]
    if unknown:
        raise InvalidInput(
            f"未知维度 / unknown dimension: {unknown[0][:32]!r} (one of {', '.join(DIMENSION_KEYS)})"
        )
    facts = collect(session, since, until, today, agents)
    table = kpi_table(session, since, until, zone, today, dimensions=dimensions, costs=costs, facts=facts)
    return KpiReport(table=table, fairness=fairness(facts))
