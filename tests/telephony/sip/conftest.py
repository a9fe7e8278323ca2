"""SIP peers for the tests: SIPp scenarios, baresip and Kamailio (tests/telephony/sip/peers.py).

Under CI=true every peer binary must be installed (the Makefile's Debian packages): a missing one
stops the run here, as a missing PostgreSQL does in tests/conftest.py, instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.telephony.sip.peers import which
from tests.telephony.sip.sipp import Sipp

PEERS = {"sipp": "sip-tester", "baresip": "baresip-core", "kamailio": "kamailio"}
if os.environ.get("CI"):
    missing = [f"{binary} ({package})" for binary, package in PEERS.items() if which(binary) is None]
    if missing:
        raise RuntimeError(f"CI run without SIP peers {', '.join(missing)}: their tests would not run")


@pytest.fixture
def sipp() -> Iterator[Callable[..., Sipp]]:
    started: list[Sipp] = []

    def start(scenario: str, **kwargs: object) -> Sipp:
        far_end = Sipp(scenario, **kwargs)  # type: ignore[arg-type]  # keyword pass-through
        started.append(far_end)
        return far_end

    yield start
    for far_end in started:
        far_end.kill()
