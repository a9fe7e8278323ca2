"""Compliance throughput: rule decisions from history in memory, and reserve()+commit on
PostgreSQL (one process and four) and SQLite; prints one JSON line.

The database part runs bench/call_writes.py's reservation loop (a fresh PostgreSQL schema of its
own, from HUIKUAN_BENCH_POSTGRES_URL; SQLite in a temporary directory; the portfolio seeded
through the real importer).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import call_writes  # a sibling script: bench/ is on the path when a bench runs

from huikuan.compliance.rules import CN_PACK
from huikuan.compliance.schemas import ContactInfo, DebtorInfo, Flags, HistoryEntry, Proposal, RuleInput
from huikuan.security import audit, crypto
from huikuan.types import CallOutcome, ContactStatus, Relation

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
DECISIONS, HISTORIES, SEED = 100_000, 10_000, 5
PROCESSES = 4


# ---- decisions in memory -------------------------------------------------------------------

OUTCOME_WEIGHTS = {
    CallOutcome.NO_ANSWER: 40,
    CallOutcome.ANSWERED: 25,
    CallOutcome.BUSY: 8,
    CallOutcome.POWERED_OFF: 10,
    CallOutcome.REJECTED: 8,
    CallOutcome.INVALID_NUMBER: 3,
    CallOutcome.FAILED: 2,
    CallOutcome.VOICEMAIL: 4,
}


def _debtor(rng: random.Random, debtor_id: int) -> DebtorInfo:
    relations = [Relation.SELF] * rng.randint(1, 2) + [Relation.EMERGENCY_CONTACT]
    contacts = tuple(
        ContactInfo(
            id=debtor_id * 10 + i,
            debtor_id=debtor_id,
            relation=r,
            status=ContactStatus.VALID,
            number_key=f"{debtor_id}-{i}",
        )
        for i, r in enumerate(relations)
    )
    return DebtorInfo(id=debtor_id, jurisdiction="CN", timezone="Asia/Shanghai", contacts=contacts)


def _history(rng: random.Random, debtor: DebtorInfo, now: datetime) -> tuple[HistoryEntry, ...]:
    """0-60 dials over the 30 days before `now`, in the window, mostly to the debtor's numbers."""
    own = [c for c in debtor.contacts if c.relation == Relation.SELF]
    outcomes, weights = list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values())
    entries = []
    for _ in range(rng.randint(0, 60)):
        day = (now - timedelta(days=rng.randint(0, 29))).astimezone(SH).date()
        at = datetime(day.year, day.month, day.day, rng.randint(8, 21), rng.randint(0, 59), tzinfo=SH)
        c = rng.choice(own) if rng.random() < 0.95 else debtor.contacts[-1]
        outcome = rng.choices(outcomes, weights)[0]
        entries.append(
            HistoryEntry(
                contact_id=c.id,
                number_key=c.number_key,
                relation=c.relation,
                at=at.astimezone(UTC),
                outcome=outcome,
                conversation=outcome == CallOutcome.ANSWERED,
            )
        )
    return tuple(sorted(entries, key=lambda e: e.at))


def bench_decide() -> dict[str, object]:
    rng = random.Random(SEED)
    now = datetime(DAY.year, DAY.month, DAY.day, 23, 59, tzinfo=SH)
    pool = []
    for i in range(HISTORIES):
        debtor = _debtor(rng, i + 1)
        pool.append((debtor, _history(rng, debtor, now)))
    inputs = []
    for _ in range(DECISIONS):
        debtor, history = rng.choice(pool)
        at = datetime(DAY.year, DAY.month, DAY.day, rng.randint(7, 22), rng.randint(0, 59), tzinfo=SH)
        contact = rng.choice(debtor.contacts)
        inputs.append(
            RuleInput(debtor=debtor, history=history, flags=Flags(), proposal=Proposal(contact, at))
        )
    started = time.perf_counter()
    allowed = sum(1 for inp in inputs if CN_PACK.decide(inp).allowed)
    seconds = time.perf_counter() - started
    return {
        "decisions": DECISIONS,
        "mean_history": round(sum(len(i.history) for i in inputs) / DECISIONS, 1),
        "allowed_share": round(allowed / DECISIONS, 3),
        "seconds": round(seconds, 2),
        "decisions_per_second": round(DECISIONS / seconds),
    }


# ---- reserve() against a database ----------------------------------------------------------
# The same reservation loop as bench/call_writes.py (its reserve-only mode), in more processes.


def bench_reserve(urls: Callable[[], AbstractContextManager[str]]) -> dict[str, object]:
    figures: dict[str, object] = {}
    for processes in (1, PROCESSES):
        with urls() as url:
            run = call_writes.bench(url, processes, full=False)
        figures[f"p{processes}"] = {
            "processes": processes,
            "reservations": run["calls"],
            "allowed": run["allowed"],
            "seconds": run["seconds"],
            "reservations_per_second": run["per_second"],
        }
    return figures


def main() -> None:
    crypto.configure(call_writes.KEY)
    audit.configure(audit.throwaway_setup())  # a throwaway audit key, no checkpoints
    load = round(os.getloadavg()[0], 2)  # figures on a shared machine mean little without it
    print(
        json.dumps(
            {
                "bench": "compliance_decide",
                "decide_in_memory": bench_decide(),
                # no server: null, the other figures still stand
                "reserve_postgres": bench_reserve(call_writes.postgres_url)
                if call_writes.postgres_reachable()
                else None,
                "reserve_sqlite": bench_reserve(call_writes.sqlite_url),
                "debtors": call_writes.DEBTORS,
                "passes": call_writes.PASSES,
                "cpus": os.cpu_count(),
                "load_average_1min_at_start": load,
            }
        )
    )


if __name__ == "__main__":
    main()
