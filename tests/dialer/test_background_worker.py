"""The simulated worker `huikuan serve --simulated-worker` runs in a thread of the console."""

from __future__ import annotations

from datetime import date

from huikuan.clock import SystemClock
from huikuan.dialer.simulate import BackgroundWorker, RefreshingDirectory
from huikuan.telephony import load_directory
from tests import factories
from tests.conftest import TestDatabase


def test_numbers_generated_after_the_worker_started_are_found(db: TestDatabase) -> None:
    directory = RefreshingDirectory(db.engine, every=0)
    assert len(directory) == 0
    with db.session() as s:
        factories.portfolio(s, accounts=3, seed=2, as_of=date(2026, 3, 10))
        s.commit()
        numbers = list(load_directory(s))
    assert numbers
    assert directory.get(numbers[0]) is not None
    assert len(directory) == len(numbers)
    assert directory.get("+860000000000") is None


def test_the_background_worker_stops_when_told(db: TestDatabase) -> None:
    worker = BackgroundWorker(db.engine, 2, SystemClock()).start()
    assert worker.thread.is_alive()
    worker.stop()
    assert not worker.thread.is_alive()
    assert worker.error is None
    assert worker.stats is not None
    assert worker.stats.attempts == 0  # no campaign runs: nothing was dialled
