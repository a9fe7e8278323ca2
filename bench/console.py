"""The console under load: page and API latency with N accounts on PostgreSQL, measured while a
dialer worker calls (simulated carrier) against the same database; prints one JSON line.

The server (uvicorn, as `huikuan serve` runs it) and the worker are separate processes, so the
client's own work does not share their interpreter. Seeding goes through the real importer
(`huikuan.sim`) and is timed apart; only requests count in the percentiles. The database is a
schema of its own on the given server, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import secrets
import socket
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx2 as httpx
from sqlalchemy import Engine, func, insert, select, text

from huikuan.cli.demo import approve_shipped_scripts, demo_users
from huikuan.compliance.decisions_log import rule_titles
from huikuan.compliance.models import Decision
from huikuan.db import make_engine, session_scope
from huikuan.db.migrate import upgrade
from huikuan.dialer.campaigns import CampaignCreate, create_campaign
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio.models import Account, Debtor
from huikuan.security import audit, crypto
from huikuan.security.users import Role, create_user

DAY = date(2026, 3, 10)
BEIJING = ZoneInfo("Asia/Shanghai")
PASSWORD = secrets.token_urlsafe(16)  # the bench users', for this run only

# Every console URL and the role that opens it; `{debtor_id}`, `{account_id}` and `{campaign_id}`
# are filled at random from the portfolio and the run's campaign. A URL whose route the app does not
# have is left out, so the bench measures whatever the console serves.
URLS: tuple[tuple[str, Role], ...] = (
    ("/", Role.SUPERVISOR),
    ("/api/me", Role.SUPERVISOR),
    ("/api/kpis", Role.SUPERVISOR),
    ("/api/debtors/{debtor_id}", Role.SUPERVISOR),
    ("/portfolio", Role.SUPERVISOR),
    ("/api/accounts", Role.SUPERVISOR),
    ("/portfolio/accounts/{account_id}", Role.SUPERVISOR),
    ("/imports", Role.SUPERVISOR),
    ("/campaigns", Role.SUPERVISOR),
    ("/api/campaigns", Role.SUPERVISOR),
    ("/campaigns/{campaign_id}", Role.SUPERVISOR),
    ("/scripts", Role.SUPERVISOR),
    ("/reports", Role.SUPERVISOR),
    ("/desk", Role.AGENT),
    ("/compliance", Role.COMPLIANCE_OFFICER),
    ("/compliance/decisions", Role.COMPLIANCE_OFFICER),
    ("/compliance/stops", Role.COMPLIANCE_OFFICER),
    ("/audit", Role.AUDITOR),
)
ROLES = tuple(dict.fromkeys(role for _, role in URLS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per URL")
    parser.add_argument("--robots", type=int, default=20, help="the worker's lines during the run")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--decisions", type=int, default=1_000_000, help="earlier compliance decisions on record"
    )
    parser.add_argument("--audit-events", type=int, default=100_000, help="earlier audit events on record")
    args = parser.parse_args()
    configure_keys()
    schema = f"bench_console_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.database)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.database}{'&' if '?' in args.database else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        print(json.dumps(run(url, args)))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def configure_keys() -> None:
    crypto.configure(bytes(range(32)))  # a throwaway key for a throwaway database
    audit.configure(audit.throwaway_setup())  # a throwaway audit key, no checkpoints


def run(url: str, args: argparse.Namespace) -> dict[str, object]:
    from huikuan.sim.service import create_portfolio

    engine = make_engine(url)
    upgrade(engine)
    began = time.perf_counter()
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        batch_id = create_portfolio(s, accounts=args.accounts, seed=args.seed, as_of=DAY, jurisdiction="CN")
        demo_users(s, now)
        for role in ROLES:
            create_user(s, f"bench-{role}", f"bench {role}", PASSWORD, role, actor="system", at=now)
        approve_shipped_scripts(s, now)
        campaign_id = create_campaign(
            s,
            CampaignCreate(
                name="bench",
                batch_id=batch_id,
                robots=args.robots,
                ends_at=datetime.combine(DAY, clock_time(22), tzinfo=BEIJING),
            ),
            now=now,
        ).id
    with session_scope(engine) as s:
        debtor_ids = list(s.scalars(select(Debtor.id)))
        ids = {
            "debtor_id": debtor_ids,
            "account_id": list(s.scalars(select(Account.id))),
            "campaign_id": [campaign_id],
        }
    seed_history(engine, debtor_ids, args)
    seeding = time.perf_counter() - began
    engine.dispose()

    port = free_port()
    fork = multiprocessing.get_context("fork")
    server = fork.Process(target=serve, args=(url, port), daemon=True)
    worker = fork.Process(target=work, args=(url, campaign_id, args.robots, args.seed), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            wait_healthy(client)
            routes = app_routes(client)
            cookies = {role: log_in(client, role) for role in ROLES}
            worker.start()
            wait_for_calls(url, min_attempts=1)
            before = attempts(url)
            rng = random.Random(args.seed)
            timings = {}
            for u, role in URLS:
                if u in routes:
                    client.cookies = cookies[role]
                    timings[u] = measure(client, u, ids, rng, args.requests) | {"role": role.value}
            during = attempts(url) - before
    finally:
        for child in (worker, server):
            if child.is_alive():
                child.terminate()
            child.join(timeout=10)
    return {
        "bench": "console",
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "accounts": args.accounts,
        "requests_per_url": args.requests,
        "decisions_on_record": args.decisions,
        "audit_events_on_record": args.audit_events,
        "seeding_seconds": round(seeding, 1),
        "worker_attempts_during_run": during,
        "worst_p95_ms": max(float(t["p95_ms"]) for t in timings.values()),
        "urls": timings,
    }


def serve(url: str, port: int) -> None:
    import uvicorn

    from huikuan.web.app import create_app

    uvicorn.run(create_app(make_engine(url)), host="127.0.0.1", port=port, log_level="warning")


def work(url: str, campaign_id: int, robots: int, seed: int) -> None:
    run_virtual_day(make_engine(url), VirtualDay(campaign_id, DAY, lines=robots, seed=seed))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(client: httpx.Client) -> None:
    for _ in range(600):
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a starting server, not timing anything
    raise SystemExit("the console did not start")


def app_routes(client: httpx.Client) -> set[str]:
    """The route paths the served app has: the OpenAPI document plus the pages we probe."""
    documented = set(client.get("/openapi.json").json()["paths"])
    pages = {u for u, _ in URLS if not u.startswith("/api/")}
    present = {p for p in pages if client.get(fill(p, {}, random.Random(0))).status_code != 404}
    return documented | present


def log_in(client: httpx.Client, role: Role) -> httpx.Cookies:
    """Log in as the bench user of `role`; its session cookies."""
    client.cookies = httpx.Cookies()
    done = client.post("/login", data={"username": f"bench-{role}", "password": PASSWORD, "next": "/"})
    if done.status_code != 303:
        raise SystemExit(f"log-in as {role} failed: {done.status_code}")
    return httpx.Cookies(client.cookies)


def seed_history(engine: Engine, debtor_ids: list[int], args: argparse.Namespace) -> None:
    """Months of earlier work, so the compliance and audit pages page through tables of the size
    a floor accumulates: decisions (mostly allowed, the rest denied by one of the packs' rules)
    over the 90 days before the run, and audit events appended through the real chain."""
    rng = random.Random(args.seed)
    rules = sorted(rule_titles())
    start = datetime.combine(DAY, clock_time(9), tzinfo=BEIJING).astimezone(UTC) - timedelta(days=90)
    batch = 20_000
    with engine.begin() as conn:
        for first in range(0, args.decisions, batch):
            rows = []
            for _ in range(first, min(first + batch, args.decisions)):
                allowed = rng.random() < 0.8
                rows.append(
                    {
                        "at": start + timedelta(seconds=rng.randrange(90 * 86_400)),
                        "debtor_id": rng.choice(debtor_ids),
                        "jurisdiction": "CN",
                        "channel": "voice",
                        "allowed": allowed,
                        "rule": None if allowed else rng.choice(rules),
                        "reason": "bench history",
                    }
                )
            conn.execute(insert(Decision), rows)
    with session_scope(engine) as s:
        for n in range(args.audit_events):
            audit.append(
                s,
                at=start + timedelta(seconds=n * 60),
                actor="system",
                action=rng.choice(("import.batch", "campaign.start", "debtor.reveal", "script.approve")),
                entity="debtor",
                entity_id=rng.choice(debtor_ids),
            )
            if n % 5_000 == 4_999:
                s.flush()
                s.expunge_all()


def wait_for_calls(url: str, min_attempts: int) -> None:
    for _ in range(1200):
        if attempts(url) >= min_attempts:
            return
        time.sleep(0.1)  # polling the worker's first committed call
    raise SystemExit("the worker made no call")


def attempts(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return int(s.scalar(select(func.count(CallAttempt.id))) or 0)
    finally:
        engine.dispose()


def fill(url: str, ids: dict[str, list[int]], rng: random.Random) -> str:
    """`url` with each `{name}` replaced by one of `ids[name]` (1 when none is given)."""
    for name in ("debtor_id", "account_id", "campaign_id"):
        url = url.replace(f"{{{name}}}", str(rng.choice(ids.get(name, [1]))))
    return url


def measure(
    client: httpx.Client, u: str, ids: dict[str, list[int]], rng: random.Random, n: int
) -> dict[str, float | int]:
    took = []
    statuses: set[int] = set()
    for _ in range(n):
        path = fill(u, ids, rng)
        began = time.perf_counter()
        response = client.get(path)
        took.append((time.perf_counter() - began) * 1000)
        statuses.add(response.status_code)
    took.sort()
    return {
        "p50_ms": round(statistics.median(took), 1),
        "p95_ms": round(took[int(0.95 * (len(took) - 1))], 1),
        "statuses": sorted(statuses),
    }


if __name__ == "__main__":
    main()
