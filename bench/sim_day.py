"""The demo day (2,000 synthetic accounts, 5 robots, 08:00-22:00, no serving) in a temporary
directory, through the same code as `huikuan demo`; prints one JSON line."""

from __future__ import annotations

import json
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from huikuan.cli.demo import run_demo


def main() -> None:
    accounts, robots, seed = 2000, 5, 7
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        results, engine, _campaign_id = run_demo(
            accounts=accounts,
            robots=robots,
            seed=seed,
            day=date(2026, 3, 10),
            fresh=True,
            database_url=f"sqlite:///{Path(tmp) / 'demo.db'}",
        )
        wall = time.perf_counter() - started
        result = results[-1]
        engine.dispose()
    print(
        json.dumps(
            {
                "bench": "sim_day",
                "accounts": accounts,
                "robots": robots,
                "wall_seconds": round(wall, 2),
                "attempts": result.attempts,
                "attempts_per_robot": result.attempts_per_robot,
                "connects": result.connects,
                "right_party_contacts": result.right_party_contacts,
                "promises": result.promises,
                "denials_by_rule": result.denials_by_rule,
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
