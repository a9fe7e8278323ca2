"""Rotate the data key of a 20,000-account SQLite database (or HUIKUAN_BENCH_POSTGRES_URL's
PostgreSQL database, a fresh schema there): values re-encrypted per second, one JSON line."""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote


def main() -> None:
    accounts, batch_size = 20_000, 500
    postgres = os.environ.get("HUIKUAN_BENCH_POSTGRES_URL", "")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUIKUAN_DATA_DIR"] = tmp
        os.environ["HUIKUAN_KEY_DIR"] = str(Path(tmp) / "keys")
        os.environ.pop("HUIKUAN_DATA_KEY", None)
        from sqlalchemy import create_engine, text

        if postgres:
            admin = create_engine(postgres)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in postgres else "?"
            os.environ["HUIKUAN_DATABASE_URL"] = f"{postgres}{sep}options={quote(f'-csearch_path={schema}')}"
        else:
            os.environ["HUIKUAN_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
        from huikuan.config import get_settings
        from huikuan.db import session_scope
        from huikuan.runtime import open_database
        from huikuan.security import crypto, keys, rotation
        from huikuan.sim.service import create_portfolio

        get_settings.cache_clear()
        try:
            engine = open_database(get_settings())
            with session_scope(engine) as session:
                create_portfolio(session, accounts=accounts, seed=3, as_of=date(2026, 3, 10))
            started = time.perf_counter()
            report = rotation.rotate(
                engine,
                crypto.cipher(),
                keys.KeySource.from_settings(get_settings()),
                datetime.now(UTC),
                batch_size=batch_size,
            )
            seconds = time.perf_counter() - started
            engine.dispose()
        finally:
            if postgres:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    if not report.finished:
        raise SystemExit(f"rotation did not finish: {report.remaining} values left")
    print(
        json.dumps(
            {
                "bench": "key_rotation",
                "backend": "postgresql" if postgres else "sqlite",
                "accounts": accounts,
                "values": report.resealed,
                "batch_size": batch_size,
                "seconds": round(seconds, 2),
                "values_per_second": round(report.resealed / seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
