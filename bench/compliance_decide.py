"""Compliance throughput: rule decisions from history in memory, and reserve()+commit on
PostgreSQL (one process and four) and SQLite; prints one JSON line.

PostgreSQL runs in a fresh schema of its own (created, then dropped), so it never touches other
data; the server comes from HUIKUAN_BENCH_POSTGRES_URL (default below). SQLite runs in a
temporary directory. The portfolio is seeded through the real importer (`sim.service`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from huikuan.compliance import reserve
from huikuan.compliance.rules import CN_PACK
from huikuan.compliance.schemas import ContactInfo, DebtorInfo, Flags, HistoryEntry, Proposal, RuleInput
from huikuan.db import make_engine, make_sessionmaker, session_scope
from huikuan.db.migrate import upgrade
from huikuan.portfolio.models import Contact
from huikuan.security import crypto
from huikuan.sim.service import create_portfolio
from huikuan.types import CallOutcome, ContactStatus, Relation

POSTGRES_URL = os.environ.get(
    "HUIKUAN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
DECISIONS, HISTORIES, SEED = 100_000, 10_000, 5
DEBTORS, PASSES, PROCESSES = 2_000, 3, 4
KEY = bytes(range(32))


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


def _seed(url: str) -> list[int]:
    """A migrated database with a synthetic portfolio; the first own number of each debtor."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            create_portfolio(session, accounts=DEBTORS, seed=SEED, as_of=DAY)
        with session_scope(engine) as session:
            rows = session.execute(
                select(Contact.debtor_id, Contact.id)
                .where(Contact.relation == Relation.SELF.value)
                .order_by(Contact.debtor_id, Contact.id)
            ).all()
    finally:
        engine.dispose()
    first: dict[int, int] = {}
    for debtor_id, contact_id in rows:
        first.setdefault(debtor_id, contact_id)
    return list(first.values())


def _reserve_loop(
    url: str, contact_ids: Sequence[int], start: Barrier | None = None
) -> tuple[int, int, float]:
    """reserve()+commit for each contact, PASSES times five minutes apart: (allowed, denied, s)."""
    crypto.configure(KEY)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as s:
            contacts = [s.get_one(Contact, cid) for cid in contact_ids]
        if start is not None:
            start.wait()
        allowed = denied = 0
        started = time.perf_counter()
        for n in range(PASSES):
            at = datetime(DAY.year, DAY.month, DAY.day, 10, 5 * n, tzinfo=SH)
            for contact in contacts:
                with sessions() as s:
                    decision = reserve(s, contact, at)
                    s.commit()
                allowed += decision.allowed
                denied += not decision.allowed
        return allowed, denied, time.perf_counter() - started
    finally:
        engine.dispose()


def _worker(url: str, contact_ids: list[int], start: Barrier, out: Queue[tuple[int, int, float]]) -> None:
    out.put(_reserve_loop(url, contact_ids, start))


def bench_reserve(url: str, processes: int) -> dict[str, object]:
    """Reservations per second on a fresh copy of the portfolio at `url`."""
    contact_ids = _seed(url)
    if processes == 1:
        allowed, denied, seconds = _reserve_loop(url, contact_ids)
    else:
        ctx = multiprocessing.get_context("spawn")
        start, out = ctx.Barrier(processes + 1), ctx.Queue()
        slices = [contact_ids[i::processes] for i in range(processes)]
        procs = [ctx.Process(target=_worker, args=(url, s, start, out)) for s in slices]
        for p in procs:
            p.start()
        start.wait()
        started = time.perf_counter()
        results = [out.get() for _ in procs]
        seconds = time.perf_counter() - started
        for p in procs:
            p.join()
        allowed = sum(r[0] for r in results)
        denied = sum(r[1] for r in results)
    total = allowed + denied
    return {
        "processes": processes,
        "reservations": total,
        "allowed": allowed,
        "seconds": round(seconds, 2),
        "reservations_per_second": round(total / seconds),
    }


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards (as the tests do)."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def bench_postgres() -> dict[str, object] | None:
    probe = create_engine(POSTGRES_URL)
    try:
        probe.connect().close()
    except OperationalError:
        return None  # no server: reported as null, the other figures still stand
    finally:
        probe.dispose()
    figures: dict[str, object] = {}
    for processes in (1, PROCESSES):
        with postgres_schema() as url:
            figures[f"p{processes}"] = bench_reserve(url, processes)
    return figures


def bench_sqlite() -> dict[str, object]:
    figures: dict[str, object] = {}
    for processes in (1, PROCESSES):
        with tempfile.TemporaryDirectory() as tmp:
            figures[f"p{processes}"] = bench_reserve(f"sqlite:///{Path(tmp) / 'bench.db'}", processes)
    return figures


def main() -> None:
    crypto.configure(KEY)
    load = round(os.getloadavg()[0], 2)  # figures on a shared machine mean little without it
    print(
        json.dumps(
            {
                "bench": "compliance_decide",
                "decide_in_memory": bench_decide(),
                "reserve_postgres": bench_postgres(),
                "reserve_sqlite": bench_sqlite(),
                "debtors": DEBTORS,
                "passes": PASSES,
                "cpus": os.cpu_count(),
                "load_average_1min_at_start": load,
            }
        )
    )


if __name__ == "__main__":
    main()
