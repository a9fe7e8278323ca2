"""The database work of robot calls: reservations per second and whole call-write cycles per
second, on SQLite and PostgreSQL, one process and two; prints one JSON line.

A cycle is what `flows.place_call` writes for one call, in its two transactions: reserve() and
start_attempt() (committed before the dial), then complete_attempt() with its transcript and
compliance.record_outcome() (committed at hang-up). The call itself (carrier, dialogue) is not
run: outcomes and transcripts are drawn from a seeded mix, so only the writes are measured.

PostgreSQL runs in a fresh schema of its own (created, then dropped); the server comes from
HUIKUAN_BENCH_POSTGRES_URL (default below). SQLite runs in a temporary directory.
`--profile` instead prints the top of a cProfile of one process's cycles on each database.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import random
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from huikuan import compliance
from huikuan.db import make_engine, make_sessionmaker, session_scope
from huikuan.db.migrate import upgrade
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.service import AttemptCompletion, TurnIn
from huikuan.portfolio.models import Account, Contact
from huikuan.security import audit, crypto
from huikuan.sim.service import create_portfolio
from huikuan.types import CallOutcome, Channel, Disposition, Relation, Speaker

POSTGRES_URL = os.environ.get(
    "HUIKUAN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
DEBTORS, PASSES, SEED = 1_000, 3, 7
KEY = bytes(range(32))
OUTCOMES = {  # a robot day's mix; answered calls carry a transcript
    CallOutcome.NO_ANSWER: 40,
    CallOutcome.ANSWERED: 30,
    CallOutcome.BUSY: 8,
    CallOutcome.POWERED_OFF: 10,
    CallOutcome.REJECTED: 8,
    CallOutcome.INVALID_NUMBER: 2,
    CallOutcome.VOICEMAIL: 2,
}
TURNS_PER_CONVERSATION = 10


@dataclass(frozen=True, slots=True)
class Work:
    account_id: int
    contact: Contact


def _seed(url: str) -> list[tuple[int, int]]:
    """A migrated database with a synthetic portfolio: (account id, first own contact id) each."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            create_portfolio(session, accounts=DEBTORS, seed=SEED, as_of=DAY)
        with session_scope(engine) as session:
            rows = session.execute(
                select(Account.id, Contact.id)
                .join(Contact, Contact.debtor_id == Account.debtor_id)
                .where(Contact.relation == Relation.SELF.value)
                .order_by(Account.id, Contact.id)
            ).all()
    finally:
        engine.dispose()
    first: dict[int, int] = {}
    for account_id, contact_id in rows:
        first.setdefault(account_id, contact_id)
    return list(first.items())


def _completion(rng: random.Random, at: datetime) -> tuple[AttemptCompletion, list[TurnIn]]:
    outcome = rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]
    answered = outcome == CallOutcome.ANSWERED
    turns = [
        TurnIn(
            Speaker.ROBOT if i % 2 == 0 else Speaker.DEBTOR,
            "您好，我是智能语音助手，来电提醒您的账单" if i % 2 == 0 else "好的，我明天还",
            at + timedelta(seconds=5 * i),
            intent=None if i % 2 == 0 else "promise",
            node="opening" if i % 2 == 0 else None,
        )
        for i in range(TURNS_PER_CONVERSATION if answered else 0)
    ]
    completion = AttemptCompletion(
        ended_at=at + timedelta(seconds=60 if answered else 30),
        outcome=outcome,
        conversation=answered,
        talk_seconds=50 if answered else 0,
        disposition=Disposition.NONE,
    )
    return completion, turns


def _cycle(sessions: sessionmaker[Session], work: Work, at: datetime, rng: random.Random, full: bool) -> bool:
    """One call's writes (or only its reservation); True if compliance allowed it."""
    with sessions() as s:
        decision = compliance.reserve(s, work.contact, at, Channel.VOICE, artificial_voice=True)
        if not full or not decision.allowed or decision.ledger_entry_id is None:
            s.commit()
            return decision.allowed
        attempt_id = outcomes.start_attempt(
            s,
            account_id=work.account_id,
            debtor_id=work.contact.debtor_id,
            contact_id=work.contact.id,
            started_at=at,
            robot_id="bench-1",
        )
        s.commit()
        completion, turns = _completion(rng, at)
        outcomes.complete_attempt(
            s,
            attempt_id,
            account_id=work.account_id,
            debtor_id=work.contact.debtor_id,
            completion=completion,
            turns=turns,
        )
        compliance.record_outcome(
            s,
            decision.ledger_entry_id,
            completion.outcome,
            conversation=completion.conversation,
            attempt_id=attempt_id,
        )
        s.commit()
    return True


def _loop(
    url: str, items: Sequence[tuple[int, int]], full: bool, start: Barrier | None = None
) -> tuple[int, int, float, float]:
    """Cycles for each contact, PASSES times twenty minutes apart: (allowed, denied, wall
    seconds, CPU seconds of this process: the Python cost, less sensitive to a busy machine)."""
    crypto.configure(KEY)
    audit.configure(audit.throwaway_setup())  # a throwaway audit key, no checkpoints
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(SEED + len(items))
    try:
        with sessions() as s:
            work = [Work(account_id, s.get_one(Contact, cid)) for account_id, cid in items]
        if start is not None:
            start.wait()
        allowed = denied = 0
        started, cpu = time.perf_counter(), time.process_time()
        for n in range(PASSES):
            at = datetime(DAY.year, DAY.month, DAY.day, 10, 20 * n, tzinfo=SH)
            for w in work:
                ok = _cycle(sessions, w, at, rng, full)
                allowed += ok
                denied += not ok
        return allowed, denied, time.perf_counter() - started, time.process_time() - cpu
    finally:
        engine.dispose()


def _worker(
    url: str,
    items: list[tuple[int, int]],
    full: bool,
    start: Barrier,
    out: Queue[tuple[int, int, float, float]],
) -> None:
    out.put(_loop(url, items, full, start))


def bench(url: str, processes: int, full: bool) -> dict[str, object]:
    """Cycles (or reservations) per second on a fresh copy of the portfolio at `url`."""
    items = _seed(url)
    if processes == 1:
        allowed, denied, seconds, cpu = _loop(url, items, full)
    else:
        ctx = multiprocessing.get_context("spawn")
        start, out = ctx.Barrier(processes + 1), ctx.Queue()
        slices = [items[i::processes] for i in range(processes)]
        procs = [ctx.Process(target=_worker, args=(url, s, full, start, out)) for s in slices]
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
        cpu = sum(r[3] for r in results)
    total = allowed + denied
    return {
        "calls": total,
        "allowed": allowed,
        "seconds": round(seconds, 2),
        "per_second": round(total / seconds),
        "ms_per_call": round(1000 * seconds * processes / total, 2),  # wall, in one process
        "cpu_ms_per_call": round(1000 * cpu / total, 2),  # this side's Python, not the server's
    }


@contextmanager
def postgres_url() -> Iterator[str]:
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


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"


def postgres_reachable() -> bool:
    probe = create_engine(POSTGRES_URL)
    try:
        probe.connect().close()
        return True
    except OperationalError:
        return False
    finally:
        probe.dispose()


def figures(database: str) -> dict[str, object] | None:
    if database == "postgres" and not postgres_reachable():
        return None  # no server: reported as null, the other figures still stand
    urls = postgres_url if database == "postgres" else sqlite_url
    out: dict[str, object] = {}
    for full, name in ((False, "reserve"), (True, "call_cycle")):
        for processes in (1, 2):
            with urls() as url:
                out[f"{name}_p{processes}"] = bench(url, processes, full)
    return out


def profile(database: str) -> str:
    """The top of a cProfile of one process's full cycles (cumulative time)."""
    urls = postgres_url if database == "postgres" else sqlite_url
    with urls() as url:
        items = _seed(url)
        profiler = cProfile.Profile()
        profiler.enable()
        _loop(url, items, True)
        profiler.disable()
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(45)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print cProfile tables instead")
    args = parser.parse_args()
    crypto.configure(KEY)
    audit.configure(audit.throwaway_setup())  # a throwaway audit key, no checkpoints
    if args.profile:
        for database in ("sqlite", "postgres"):
            print(f"==== {database}")
            print(profile(database))
        return
    load = round(os.getloadavg()[0], 2)  # figures on a shared machine mean little without it
    print(
        json.dumps(
            {
                "bench": "call_writes",
                "sqlite": figures("sqlite"),
                "postgres": figures("postgres"),
                "debtors": DEBTORS,
                "passes": PASSES,
                "turns_per_conversation": TURNS_PER_CONVERSATION,
                "cpus": os.cpu_count(),
                "load_average_1min_at_start": load,
            }
        )
    )


if __name__ == "__main__":
    main()
