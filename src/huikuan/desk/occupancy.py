"""Agent occupancy from the state log: (on call + wrap-up) / (logged in − break).

Pure: the service reads the log, this adds up the time spent in each state within a period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from huikuan.desk.schemas import AgentState


@dataclass(frozen=True, slots=True)
class Occupancy:
    logged_in: timedelta
    on_break: timedelta
    busy: timedelta  # on call + wrap-up

    @property
    def ratio(self) -> float:
        """Share of the time an agent could work that they spent on calls and wrap-up."""
        working = (self.logged_in - self.on_break).total_seconds()
        return self.busy.total_seconds() / working if working > 0 else 0.0

    def __add__(self, other: Occupancy) -> Occupancy:
        return Occupancy(
            self.logged_in + other.logged_in, self.on_break + other.on_break, self.busy + other.busy
        )


ZERO = Occupancy(timedelta(0), timedelta(0), timedelta(0))


def time_in_states(
    changes: Iterable[tuple[datetime, AgentState]], start: datetime, end: datetime
) -> dict[AgentState, timedelta]:
    """Time spent in each state within [start, end), from changes ordered by time.

    The state before the first change is offline (an agent appears by logging in).
    """
    spent = dict.fromkeys(AgentState, timedelta(0))
    state, since = AgentState.OFFLINE, start
    for at, new_state in changes:
        if at > since:
            lo, hi = max(since, start), min(at, end)
            if hi > lo:
                spent[state] += hi - lo
        state, since = new_state, max(at, since)
    if end > since:
        spent[state] += end - max(since, start)
    return spent


def occupancy(changes: Iterable[tuple[datetime, AgentState]], start: datetime, end: datetime) -> Occupancy:
    spent = time_in_states(changes, start, end)
    logged_in = sum((v for k, v in spent.items() if k != AgentState.OFFLINE), timedelta(0))
    return Occupancy(
        logged_in=logged_in,
        on_break=spent[AgentState.BREAK],
        busy=spent[AgentState.ON_CALL] + spent[AgentState.WRAP_UP],
    )
