"""The KPIs of a period cut by a dimension (robot, agent, script, segment, bucket, campaign,
creditor, AI vs human), from the definitions in `kpi_defs`. One pass over the period's attempts:
attempt KPIs count each attempt in its group; account KPIs (collected, recovery, roll, cure)
count each account called in the period in the group of its last attempt of the period."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from huikuan.analytics import kpi_repository as repo
from huikuan.analytics.kpi_defs import BY_KEY, DIMENSION_KEYS, KPIS, NONE, Costs
from huikuan.portfolio import service as portfolio
from huikuan.portfolio.buckets import DEFAULT_SCHEME
from huikuan.profiling import service as profiling

BUCKET_ORDER = {name: i for i, name in enumerate(DEFAULT_SCHEME.names)}
OVERDUE_FROM = BUCKET_ORDER["M1"]
HARDSHIP = "hardship_installment"
FAIRNESS_KEYS = ("region", "dialect", "age_band")


@dataclass
class Tally:
    """The counts behind every KPI of one group."""

    attempts: int = 0
    answered: int = 0
    rpc: int = 0
    transfers: int = 0
    promises: int = 0
    kept: int = 0
    settled: int = 0
    complaints: int = 0
    robot_seconds: int = 0
    agent_seconds: int = 0
    decided: int = 0  # attempts with a treatment decision
    hardship: int = 0  # of those, a hardship / installment treatment
    collected: int = 0  # fen
    opening: int = 0  # fen
    accounts_decided: int = 0
    rolled: int = 0
    delinquent: int = 0
    cured: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class KpiValue(BaseModel):
    numerator: int  # a count, or fen for amounts
    denominator: int | None = None  # None: a count or an amount
    value: float | None  # the rate (None when the denominator is 0), the count, or yuan


class GroupKpis(BaseModel):
    value: str
    kpis: dict[str, KpiValue]


class KpiTable(BaseModel):
    since: datetime
    until: datetime
    timezone: str
    costs_fen: dict[str, int]  # the cost settings used: robot_minute, agent_hour
    totals: dict[str, KpiValue]
    by: dict[str, list[GroupKpis]]  # dimension → groups, sorted by value


def _rate(num: int, den: int) -> KpiValue:
    return KpiValue(numerator=num, denominator=den, value=(num / den) if den else None)


def values(t: Tally, costs: Costs) -> dict[str, KpiValue]:
    """Every KPI of one group's tally, keyed as in `KPIS`."""
    cost = round(t.robot_seconds * costs.robot_minute / 60 + t.agent_seconds * costs.agent_hour / 3600)
    out = {
        "attempts": KpiValue(numerator=t.attempts, value=t.attempts),
        "connect_rate": _rate(t.answered, t.attempts),
        "rpc_rate": _rate(t.rpc, t.attempts),
        "ptp_rate": _rate(t.promises, t.rpc),
        "ptp_kept_rate": _rate(t.kept, t.settled),
        "amount_collected": KpiValue(numerator=t.collected, value=t.collected / 100),
        "recovery_rate": _rate(t.collected, t.opening),
        "roll_rate": _rate(t.rolled, t.accounts_decided),
        "cure_rate": _rate(t.cured, t.delinquent),
        "cost_to_collect": _rate(cost, t.collected),
        "complaint_rate": _rate(t.complaints, t.rpc),
    }
    assert set(out) == set(BY_KEY)  # noqa: S101 - the definitions and the computation agree
    return out


@dataclass
class Facts:
    """Each attempt's and each account's tally and the group values they fall in."""

    attempts: list[tuple[dict[str, str], Tally]] = field(default_factory=list)
    accounts: list[tuple[dict[str, str], Tally]] = field(default_factory=list)
    attempt_extra: dict[int, dict[str, bool]] = field(default_factory=dict)


def collect(
    session: Session,
    since: datetime,
    until: datetime,
    today: date,
    agents: Mapping[int, tuple[str, int]] | None = None,
) -> Facts:
    """Read the period once. `agents`: attempt id → (agent, seconds held), from the desk."""
    agents = agents or {}
    rows = repo.attempts(session, since, until)
    ids = [a.id for a in rows]
    promises = repo.promise_counts(session, since, until)
    complaints = repo.complaint_counts(session, since, until)
    decisions = profiling.decisions_for(session, ids)
    accounts = portfolio.account_facts(session, [a.account_id for a in rows], today)
    facts = Facts()
    last_groups: dict[int, dict[str, str]] = {}
    first_bucket: dict[int, str] = {}
    last_bucket: dict[int, str] = {}
    for a in rows:
        d = decisions.get(a.id)
        acct = accounts[a.account_id]
        agent, held = agents.get(a.id, (a.agent_id or NONE, 0))
        script = d.script if d else (f"version:{a.script_version_id}" if a.script_version_id else NONE)
        groups = {
            "handler": "ai" if agent == NONE else "human",
            "robot": a.robot_id or NONE,
            "agent": agent,
            "script": script,
            "segment": (d.segment or NONE) if d else NONE,
            "bucket": d.bucket if d else acct.bucket,
            "campaign": str(a.campaign_id) if a.campaign_id is not None else NONE,
            "creditor": acct.creditor_code,
            "region": acct.region,
            "dialect": acct.dialect,
            "age_band": acct.age_band,
        }
        made, kept, settled = promises.get(a.id, (0, 0, 0))
        t = Tally(
            attempts=1,
            answered=int(a.answered),
            rpc=int(a.conversation),
            transfers=int(a.transfer_requested),
            promises=made,
            kept=kept,
            settled=settled,
            complaints=complaints.get(a.id, 0),
            robot_seconds=max(0, a.talk_seconds - held),
            agent_seconds=held,
            decided=int(d is not None),
            hardship=int(d is not None and d.treatment == HARDSHIP),
        )
        facts.attempts.append((groups, t))
        last_groups[a.account_id] = groups
        if d is not None:
            first_bucket.setdefault(a.account_id, d.bucket)
            last_bucket[a.account_id] = d.bucket
    paid_in: dict[int, int] = {}
    paid_since: dict[int, int] = {}
    for account_id, amount, paid_at in portfolio.payments_between(session, since, None):
        if account_id in last_groups:
            paid_since[account_id] = paid_since.get(account_id, 0) + amount
            if paid_at < until:
                paid_in[account_id] = paid_in.get(account_id, 0) + amount
    for account_id, groups in last_groups.items():
        acct = accounts[account_id]
        t = Tally(
            collected=paid_in.get(account_id, 0), opening=acct.outstanding + paid_since.get(account_id, 0)
        )
        if account_id in first_bucket:
            start = BUCKET_ORDER.get(first_bucket[account_id], 0)
            end = BUCKET_ORDER.get(last_bucket[account_id], 0)
            t.accounts_decided = 1
            t.rolled = int(end > start)
            t.delinquent = int(start >= OVERDUE_FROM)
            t.cured = int(start >= OVERDUE_FROM and acct.overdue == 0)
        facts.accounts.append((groups, t))
    return facts


def tallies(facts: Facts, key: str) -> dict[str, Tally]:
    """Group value → tally, for one dimension (or "all")."""
    out: dict[str, Tally] = {}
    for groups, t in [*facts.attempts, *facts.accounts]:
        value = "all" if key == "all" else groups[key]
        out.setdefault(value, Tally()).add(t)
    return out


def kpi_table(
    session: Session,
    since: datetime,
    until: datetime,
    zone: str,
    today: date,
    *,
    agents: Mapping[int, tuple[str, int]] | None = None,
    dimensions: Iterable[str] = DIMENSION_KEYS,
    costs: Costs | None = None,
    facts: Facts | None = None,
) -> KpiTable:
    """The KPIs of attempts started in [since, until), in total and by each of `dimensions`."""
    costs = costs or Costs.from_env()
    facts = facts or collect(session, since, until, today, agents)
    total = tallies(facts, "all").get("all", Tally())
    value_of: Callable[[Tally], dict[str, KpiValue]] = lambda t: values(t, costs)  # noqa: E731
    return KpiTable(
        since=since,
        until=until,
        timezone=zone,
        costs_fen={"robot_minute": costs.robot_minute, "agent_hour": costs.agent_hour},
        totals=value_of(total),
        by={
            dim: [GroupKpis(value=v, kpis=value_of(t)) for v, t in sorted(tallies(facts, dim).items())]
            for dim in dimensions
        },
    )


KPI_KEYS = tuple(k.key for k in KPIS)
