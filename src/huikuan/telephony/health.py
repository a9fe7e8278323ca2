"""`TrunkHealth`: a circuit breaker for a carrier's trunks, as pure state transitions.

After `threshold` trunk failures in a row (a transport error, silence, 503 from every trunk;
`CallOutcome.TRUNK_FAILED`) the trunk is *down*: dialing pauses, and the trunk is probed (SIP
OPTIONS) at `first_probe` seconds, then at doubling intervals up to `max_probe`, until a probe is
answered. Any call that is not a trunk failure resets the count. Times are plain seconds from
the caller's clock, so the transitions are tested without waiting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrunkHealth:
    threshold: int = 5
    first_probe: float = 5.0
    max_probe: float = 300.0
    up: bool = True
    failures: int = 0  # trunk failures in a row
    reason: str | None = None  # the cause of the failure that took the trunk down
    next_probe_at: float | None = None
    _interval: float = 0.0

    def call_ended(self, trunk_failed: bool, now: float, cause: str | None = None) -> bool:
        """Count a finished call; True exactly when this call takes the trunk down."""
        if not trunk_failed:
            self.failures = 0
            return False
        self.failures += 1
        if not self.up or self.failures < self.threshold:
            return False
        self.up = False
        self.reason = cause
        self._interval = self.first_probe
        self.next_probe_at = now + self._interval
        return True

    def probe_due(self, now: float) -> bool:
        return not self.up and self.next_probe_at is not None and now >= self.next_probe_at

    def probe_result(self, answered: bool, now: float) -> bool:
        """A probe's answer; True exactly when the trunk comes back up (dialing resumes)."""
        if self.up:
            return False
        if answered:
            self.up, self.failures, self.reason, self.next_probe_at = True, 0, None, None
            return True
        self._interval = min(self._interval * 2, self.max_probe)
        self.next_probe_at = now + self._interval
        return False
