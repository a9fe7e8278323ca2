"""A virtual collection day through the production worker loop: R robots over N accounts with
the simulated carrier, on a temporary SQLite database; prints one JSON line.

Defaults are the issue's full size (1,000 robots, 500,000 accounts); scale down with
--robots/--accounts. Portfolio creation is timed apart from the day itself.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from huikuan.cli.demo import approve_shipped_scripts
from huikuan.db import make_engine, session_scope
from huikuan.db.migrate import upgrade
from huikuan.dialer.campaigns import CampaignCreate, create_campaign, progress
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.security import audit, crypto
from huikuan.sim.service import create_portfolio

DAY = date(2026, 3, 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--robots", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    crypto.configure(bytes(range(32)))  # a throwaway key for a throwaway database
    audit.configure(audit.throwaway_setup())  # a throwaway audit key, no checkpoints
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        began = time.perf_counter()
        with session_scope(engine) as s:
            batch_id = create_portfolio(
                s, accounts=args.accounts, seed=args.seed, as_of=DAY, jurisdiction="CN"
            )
            approve_shipped_scripts(s, datetime.now(UTC))
            campaign_id = create_campaign(
                s,
                CampaignCreate(
                    name="bench",
                    batch_id=batch_id,
                    robots=args.robots,
                    ends_at=datetime.combine(DAY, clock_time(22), tzinfo=ZoneInfo("Asia/Shanghai")),
                ),
                now=datetime.now(UTC),
            ).id
        setup = time.perf_counter() - began
        began = time.perf_counter()
        stats = run_virtual_day(engine, VirtualDay(campaign_id, DAY, lines=args.robots, seed=args.seed))
        wall = time.perf_counter() - began
        with session_scope(engine) as s:
            p = progress(s, campaign_id)
        engine.dispose()
    per_robot = stats.attempts_per_line
    print(
        json.dumps(
            {
                "bench": "dialer_day",
                "robots": args.robots,
                "accounts": args.accounts,
                "attempts": stats.attempts,
                "attempts_per_robot": round(statistics.fmean(per_robot), 1),
                "attempts_per_robot_min_max": [min(per_robot), max(per_robot)],
                "connects": p.connects,
                "right_party_contacts": p.right_party_contacts,
                "promises": p.promises,
                "tasks": p.tasks,
                "setup_seconds": round(setup, 1),
                "wall_seconds": round(wall, 1),
                "attempts_per_wall_second": round(stats.attempts / wall, 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
