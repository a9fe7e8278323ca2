"""Import 100,000 generated accounts (5% broken rows) into a fresh SQLite db: one JSON line."""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path


def main() -> None:
    rows_wanted, fraction, seed, as_of = 100_000, 0.05, 11, date(2026, 3, 10)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUIKUAN_DATA_DIR"] = tmp
        os.environ["HUIKUAN_KEY_DIR"] = str(Path(tmp) / "keys")  # a throwaway key, not ~/.config
        os.environ["HUIKUAN_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
        from huikuan.config import get_settings
        from huikuan.db import session_scope
        from huikuan.portfolio.service import import_file
        from huikuan.runtime import open_database
        from huikuan.sim.portfolio import generate_rows, inject_bad_rows, to_csv

        get_settings.cache_clear()
        cells = [r.cells for r in generate_rows(rows_wanted, seed, as_of)]
        broken = inject_bad_rows(cells, fraction, seed)
        path = Path(tmp) / "accounts.csv"
        path.write_text(to_csv(cells), encoding="utf-8")
        engine = open_database(get_settings())
        started = time.perf_counter()
        with session_scope(engine) as session:
            result = import_file(session, path, batch_name="bench", as_of=as_of)
        seconds = time.perf_counter() - started
        engine.dispose()
    reported = {e.row for e in result.errors}
    if reported != set(broken):
        raise SystemExit(f"reported rows differ from broken rows: {len(reported ^ set(broken))} differ")
    print(
        json.dumps(
            {
                "bench": "import_accounts",
                "rows": result.rows_read,
                "bad_rows": len(broken),
                "reported": len(reported),
                "imported": result.rows_imported,
                "seconds": round(seconds, 2),
                "rows_per_second": round(result.rows_read / seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
