"""Live pacing of an agent campaign (mode predictive or progressive) inside one worker.

Before a line dials for such a campaign it asks the campaign's `CampaignPacer` for a turn; the
pacer feeds `pacing.lines_to_dial` with live figures and lets the line dial only while that says
at least one more line may start:

- the campaign's calls ringing on this worker (granted, not yet answered or ended);
- its agents by desk state (available; on a call or in wrap-up), read at most once per clock
  instant, since one answered call changes them;
- its recent answer rate and time to answer (the last `SAMPLE` finished attempts), its agents'
  handle time (assignment to wrap-up of the last `SAMPLE` transfers) and its abandon ratio over
  30 days, refreshed every `REFRESH`.

When the call is answered (and the answering-machine check found no machine), `route` decides
who takes it: the longest-idle agent of the campaign (a transfer through the desk, which pops
their screen; on SIP trunks `flows.handoff.connect_routed_agent` then rings the agent's phone
and connects the debtor live, as for a robot's transfer), else a robot (robot overflow, the
default), else nobody: the call is hung up (a US call after the identification message) and
recorded with disposition `abandoned`, which is what the 30-day ratio counts (abandoned over
answered attempts of the campaign).

One pacer counts only its own worker's ringing calls: an agent campaign is meant to be served
by one worker (its lines are the campaign's robots); two workers would each dial for the same
free agents.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from huikuan.clock import AsyncClock
from huikuan.desk import service as desk
from huikuan.desk.schemas import TransferReason
from huikuan.dialer.models import Campaign
from huikuan.dialer.pacing import ABANDON_PERIOD_DAYS, PacingInput, PacingMode, PacingPolicy, lines_to_dial
from huikuan.flows import INLINE, AnswerRoute, DbRunner
from huikuan.outcomes import service as outcomes
from huikuan.types import CallOutcome

log = logging.getLogger(__name__)

AGENT_MODES = frozenset(m.value for m in PacingMode)
PACE_TICK = timedelta(seconds=2)  # how often a line waiting for its turn looks again
REFRESH = timedelta(seconds=60)  # how stale the slow figures may be
SAMPLE = 200  # recent attempts / transfers the live rates are taken from
# Before the campaign has its own history: a typical collection day's figures.
PRIOR_ANSWER_RATE = 0.3
PRIOR_ANSWER_SECONDS = 12.0
PRIOR_HANDLE_SECONDS = 180.0


@dataclass(frozen=True, slots=True)
class Figures:
    """The campaign's slow-moving live figures."""

    answer_rate: float
    mean_answer_seconds: float
    mean_handle_seconds: float
    abandon_ratio: float
    answered_30d: int = 0
    abandoned_30d: int = 0


def is_agent_campaign(campaign: Campaign) -> bool:
    return campaign.mode in AGENT_MODES


# -- the figures, from the records ---------------------------------------------------------------


def agent_counts(session: Session, campaign_id: int) -> tuple[int, int]:
    """(free, busy) agents serving the campaign (its own and those serving every campaign)."""
    return desk.agent_counts(session, campaign_id)


def abandon_ratio(session: Session, campaign_id: int, now: datetime) -> float:
    """Abandoned over answered attempts of the campaign in the 30 days up to `now`."""
    answered, abandoned = abandon_record(session, campaign_id, now)
    return abandoned / answered if answered else 0.0


def abandon_record(session: Session, campaign_id: int, now: datetime) -> tuple[int, int]:
    """(answered, abandoned) attempts of the campaign in the 30 days up to `now`."""
    return outcomes.abandon_record(session, campaign_id, now, ABANDON_PERIOD_DAYS)


def read_figures(session: Session, campaign_id: int, now: datetime) -> Figures:
    """Answer rate and time to answer from the last finished attempts, handle time from the last
    wrapped-up transfers, and the 30-day abandon ratio."""
    attempts = outcomes.recent_attempts(session, campaign_id, SAMPLE)
    answered = [a for a in attempts if a.outcome == CallOutcome.ANSWERED.value and a.ended_at is not None]
    answer_rate = len(answered) / len(attempts) if attempts else PRIOR_ANSWER_RATE
    # Ring time = the attempt's length minus what was said after the answer.
    rings = [
        max(0.0, (a.ended_at - a.started_at).total_seconds() - a.talk_seconds)
        for a in answered
        if a.ended_at is not None
    ]
    handle = desk.handle_seconds(session, campaign_id, SAMPLE)
    answered_30d, abandoned = abandon_record(session, campaign_id, now)
    return Figures(
        answer_rate=answer_rate,
        mean_answer_seconds=sum(rings) / len(rings) if rings else PRIOR_ANSWER_SECONDS,
        mean_handle_seconds=sum(handle) / len(handle) if handle else PRIOR_HANDLE_SECONDS,
        abandon_ratio=abandoned / answered_30d if answered_30d else 0.0,
        answered_30d=answered_30d,
        abandoned_30d=abandoned,
    )


def abandon_headroom(cap: float, answered: int, abandoned: int) -> int:
    """How many more calls may be abandoned with the 30-day ratio still within `cap`, counting
    only the answered calls on record (later answers only add room)."""
    return max(0, math.floor(cap * answered + 1e-9) - abandoned)


# -- the pacer --------------------------------------------------------------------------------


class Turn:
    """One line's permission to dial: ringing until answered or released."""

    def __init__(self, pacer: CampaignPacer) -> None:
        self._pacer = pacer
        self._ringing = True

    def answered(self) -> None:
        self._stop_ringing()

    def release(self) -> None:
        self._stop_ringing()

    def _stop_ringing(self) -> None:
        if self._ringing:
            self._ringing = False
            self._pacer.ringing -= 1


class CampaignPacer:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        campaign: Campaign,
        clock: AsyncClock,
        policy: PacingPolicy | None = None,
        db: DbRunner = INLINE,
    ) -> None:
        self.sessions = sessions
        self.db = db  # where its figures are read: off the loop that carries audio
        self.campaign_id = campaign.id
        self.mode = PacingMode(campaign.mode)
        self.robot_overflow = campaign.robot_overflow
        self.clock = clock
        # With overflow the robots bound the share of answers they take instead of abandons.
        self.policy = policy or PacingPolicy(robot_overflow=self.robot_overflow)
        self.ringing = 0
        self.routed: dict[AnswerRoute, int] = dict.fromkeys(AnswerRoute, 0)
        self._figures: Figures | None = None
        self._figures_at: datetime | None = None
        self._agents: tuple[int, int] = (0, 0)
        self._agents_at: datetime | None = None
        self.last_input: PacingInput | None = None
        self._abandoned_since_figures = 0

    def pacing_input(self) -> PacingInput:
        """What `pacing` sees now (figures re-read when stale, agents once per instant)."""
        now = self.clock.now()
        stale = self._figures_at is None or now - self._figures_at >= REFRESH
        if stale or self._agents_at != now:
            with self.sessions() as s:
                if stale:
                    self._figures, self._figures_at = read_figures(s, self.campaign_id, now), now
                    self._abandoned_since_figures = 0
                self._agents, self._agents_at = agent_counts(s, self.campaign_id), now
        assert self._figures is not None  # noqa: S101  # read just above on first use
        free, busy = self._agents
        self.last_input = PacingInput(
            agents_free=free,
            agents_busy=busy,
            calls_in_flight=self.ringing,
            answer_rate=self._figures.answer_rate,
            mean_handle_seconds=self._figures.mean_handle_seconds,
            mean_answer_seconds=self._figures.mean_answer_seconds,
            abandon_ratio=self._figures.abandon_ratio,
            abandon_headroom=abandon_headroom(
                self.policy.abandon_cap,
                self._figures.answered_30d,
                self._figures.abandoned_30d + self._abandoned_since_figures,
            ),
        )
        return self.last_input

    def lines_now(self) -> int:
        """New lines pacing lets the campaign start now."""
        return lines_to_dial(self.mode, self.pacing_input(), self.policy)

    async def turn(self, nap: Callable[[datetime], Awaitable[None]], over: Callable[[], bool]) -> Turn | None:
        """Wait until pacing lets one more line dial; None when the worker stops meanwhile."""
        while not over():
            try:
                lines = await self.db.run(self.lines_now)
            except Exception:  # the database went away for a moment: wait, never dial blind
                log.exception("campaign %s: pacing figures unavailable; waiting", self.campaign_id)
                lines = 0
            if lines >= 1:
                self.ringing += 1
                return Turn(self)
            await nap(self.clock.now() + PACE_TICK)
        return None

    def route(self, session: Session, turn: Turn, attempt_id: int, answered_at: datetime) -> AnswerRoute:
        """Who takes an answered call: a free agent, else a robot (overflow), else nobody. The
        transfer is written on the call's `session`, so it commits with the attempt's record."""
        turn.answered()
        self._agents_at = None  # an agent may be taken now: read them again before the next dial
        # Asked on a session of its own: the call's session must not hold a read open while a
        # robot then talks (SQLite would lock every other line out until the call ends).
        with self.sessions() as s:
            agent_free = desk.agent_available(s, self.campaign_id)
        if agent_free:
            # A transfer lost to another worker's call waits queued for the next free agent.
            desk.request_transfer(
                session,
                attempt_id=attempt_id,
                reason=TransferReason.HUMAN_SEGMENT,
                at=answered_at,
                campaign_id=self.campaign_id,
            )
            chosen = AnswerRoute.AGENT
        else:
            chosen = AnswerRoute.ROBOT if self.robot_overflow else AnswerRoute.ABANDONED
        self.routed[chosen] += 1
        if chosen == AnswerRoute.ABANDONED:  # the record read at the last refresh lacks it
            self._abandoned_since_figures += 1
        return chosen


# -- what the console shows -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PacingView:
    """An agent campaign's pacing as a supervisor watches it: agents, answer rate, and the
    30-day abandon ratio against the cap (US.ABANDON, 47 CFR 64.1200(a)(7))."""

    mode: str
    robot_overflow: bool
    agents_free: int
    agents_busy: int
    answer_rate: float
    mean_handle_seconds: float
    answered_30d: int
    abandoned_30d: int
    abandon_ratio: float
    abandon_cap: float
    within_cap: bool


def pacing_view(session: Session, campaign: Campaign, now: datetime) -> PacingView | None:
    """None for a robot campaign (never paced)."""
    if not is_agent_campaign(campaign):
        return None
    free, busy = agent_counts(session, campaign.id)
    figures = read_figures(session, campaign.id, now)
    cap = PacingPolicy().abandon_cap
    return PacingView(
        mode=campaign.mode,
        robot_overflow=campaign.robot_overflow,
        agents_free=free,
        agents_busy=busy,
        answer_rate=figures.answer_rate,
        mean_handle_seconds=figures.mean_handle_seconds,
        answered_30d=figures.answered_30d,
        abandoned_30d=figures.abandoned_30d,
        abandon_ratio=figures.abandon_ratio,
        abandon_cap=cap,
        within_cap=figures.abandon_ratio <= cap,
    )
