"""The demo day (2,000 accounts, 5 robots, no serving) in a temporary directory: one JSON line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def main() -> None:
    accounts, robots, seed = 2000, 5, 7
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUIKUAN_DATA_DIR"] = tmp
        os.environ["HUIKUAN_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'demo.db'}"
        from huikuan.config import get_settings

        get_settings.cache_clear()
        portfolio = "sim.service"
        try:
            import huikuan.sim.service  # noqa: F401 - probe only
        except ModuleNotFoundError:
            portfolio = "tests.factories"  # until the portfolio generator lands
            _install_factory_portfolio()
        from huikuan.cli.demo import run_demo

        started = time.perf_counter()
        result, engine, _, _ = run_demo(
            accounts=accounts, robots=robots, seed=seed, day=date(2026, 3, 10), fresh=True
        )
        wall = time.perf_counter() - started
        engine.dispose()
    print(
        json.dumps(
            {
                "bench": "sim_day",
                "accounts": accounts,
                "robots": robots,
                "portfolio": portfolio,
                "wall_seconds": round(wall, 2),
                "attempts": result.attempts,
                "attempts_per_robot": result.attempts_per_robot,
                "connects": result.connects,
                "right_party_contacts": result.right_party_contacts,
                "promises": result.promises,
                "denials_by_rule": result.denials_by_rule,
            }
        )
    )


def _install_factory_portfolio() -> None:
    import types
    from datetime import date as date_type

    from sqlalchemy.orm import Session

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import factories

    def create_portfolio(
        session: Session, *, accounts: int, seed: int, as_of: date_type, jurisdiction: str
    ) -> int:
        return factories.portfolio(session, accounts=accounts, seed=seed, as_of=as_of).id

    module = types.ModuleType("huikuan.sim.service")
    module.create_portfolio = create_portfolio  # type: ignore[attr-defined]
    sys.modules["huikuan.sim.service"] = module


if __name__ == "__main__":
    main()
