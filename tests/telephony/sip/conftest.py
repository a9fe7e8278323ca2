from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.telephony.sip.sipp import Sipp


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
