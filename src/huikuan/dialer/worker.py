"""`huikuan worker`: N robot lines on asyncio that lease due tasks from the database, call, apply
the retry rules and hand the task back, fenced by its lease token.

One line's cycle: lease (commit) → pick a number and a caller ID → `flows.place_call`, whose
reservation, attempt start and the task's call-in-flight commit before the dial → the
attempt's outcome, the ledger outcome and the task's next due time commit together. A crash
inside a call is logged and closes that attempt as failed; the line goes on. SIGTERM stops the
leasing, lets calls in progress finish, hands back what is unstarted and exits 0.

The same loop runs on any `AsyncClock`: the system clock in production, a `ScaledClock`
for multi-process tests, a `VirtualClock` for `huikuan sim day` (time jumps to the earliest
wake-up when every line waits).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from huikuan.clock import AsyncClock, VirtualClock
from huikuan.compliance import calling_window
from huikuan.db import make_sessionmaker
from huikuan.dialer import campaigns as campaign_service
from huikuan.dialer import tasks
from huikuan.dialer.agent_pacing import CampaignPacer, Turn, is_agent_campaign
from huikuan.dialer.models import Campaign
from huikuan.dialer.pick import any_usable, own_numbers_left, pick_contact
from huikuan.dialer.retry import (
    Attempted,
    Next,
    RetryConfig,
    TaskMemory,
    Window,
    after_attempt,
    after_denial,
    nothing_to_dial_today,
)
from huikuan.dialogue import identity
from huikuan.dialogue.llm import LlmConfig, LlmTransport
from huikuan.dialogue.nlu import warm_up
from huikuan.dialogue.versions import RunningScript, running_script
from huikuan.flows import (
    AnswerRoute,
    CallResult,
    CallWork,
    DbRunner,
    InlineDb,
    RouteAnswer,
    ThreadDb,
    place_call,
)
from huikuan.flows.handoff import AgentLine
from huikuan.portfolio.service import Contact, knowledge_answer
from huikuan.profiling import service as profiling
from huikuan.strategy import THIRD_PARTY_SCRIPT, Treatment
from huikuan.strategy.assignment import strategy_for_account
from huikuan.strategy.document import Case
from huikuan.telephony.carrier import Carrier
from huikuan.telephony.health import TrunkHealth
from huikuan.types import CallOutcome, Disposition, KnowledgeCheck, Relation

log = logging.getLogger(__name__)

WRAP_UP = timedelta(seconds=5)  # line reset between calls: BYE, media release, next INVITE

OnTransfer = Callable[[Session, int, CallResult], None]


@dataclass
class WorkerConfig:
    lines: int = 5
    campaign_id: int | None = None
    lease: timedelta = timedelta(seconds=90)
    idle_poll: timedelta = timedelta(seconds=30)
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    )
    until: datetime | None = None  # stop leasing at this instant (a simulated day's end)
    exit_when_done: bool = False  # with campaign_id: exit once the campaign is done


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What `_prepare` chose for one call, and what `_finish` needs after it."""

    campaign: Campaign
    facts: tasks.CallFacts
    window: Window
    config: RetryConfig
    memory: TaskMemory
    contacts: list[Contact]
    contact: Contact
    caller_id: str
    running: RunningScript
    work: CallWork
    treatment: Treatment
    profile: profiling.ProfileRead | None
    strategy_version_id: int | None  # None: the shipped strategy
    strategy_reason: str  # the escalation or rule that chose the treatment
    experiment_arm: str | None  # the account's arm while an experiment runs


@dataclass
class WorkerStats:
    attempts: int = 0
    attempts_per_line: list[int] = field(default_factory=list)
    denials: Counter[str] = field(default_factory=Counter)
    crashed_calls: int = 0
    lost_leases: int = 0


class Worker:
    def __init__(
        self,
        engine: Engine,
        carrier: Carrier,
        clock: AsyncClock,
        config: WorkerConfig,
        *,
        on_transfer: OnTransfer | None = None,
        agent_available: Callable[[], bool] | None = None,
        progress: Callable[[int, datetime], None] | None = None,
        db: DbRunner | None = None,
        trunk_health: TrunkHealth | None = None,
        probe: Callable[[], Awaitable[bool]] | None = None,
        llm: LlmConfig | None = None,
        agent_line: AgentLine | None = None,
    ) -> None:
        """`agent_line` (SIP trunks): a call whose dialogue asks for a person is handed live to
        the assigned agent's phone (`flows.handoff`). `trunk_health` with `probe` (e.g.
        `SipCarrier.probe`): after K trunk failures in a row the lines stop leasing until a probe
        of the trunk is answered. `llm` (from `LlmConfig.from_settings`): one kept LLM transport
        is opened at start and every call's engine gets a client on it; None: scripts and the
        NLU only."""
        self.engine = engine
        # Database work never runs on the loop that carries live audio (flows.db); a simulated
        # day on a virtual clock has no audio and keeps its determinism inline.
        self.db: DbRunner = db or (InlineDb() if isinstance(clock, VirtualClock) else ThreadDb())
        self.sessions = make_sessionmaker(engine)
        self.carrier = carrier
        self.clock = clock
        self.config = config
        self.on_transfer = on_transfer
        self.agent_available = agent_available
        self.agent_line = agent_line
        self.progress = progress
        self.stats = WorkerStats(attempts_per_line=[0] * config.lines)
        self._stopping = asyncio.Event()
        self._scripts: dict[tuple[str, str], RunningScript] = {}
        self._campaigns: dict[int, Campaign] = {}
        self._pacers: dict[int, CampaignPacer | None] = {}  # None: a robot campaign, never paced
        self._turns: dict[int, Turn] = {}  # line → its paced call ringing
        self.trunk_health = trunk_health
        self._probe = probe
        self._trunk_up = asyncio.Event()
        self._trunk_up.set()
        self._prober: asyncio.Task[None] | None = None
        self._llm_config = llm
        self._llm: LlmTransport | None = None

    @property
    def id(self) -> str:
        return self.config.worker_id

    def stop(self) -> None:
        """Stop leasing; calls in progress finish (SIGTERM)."""
        self._stopping.set()

    async def run(self) -> WorkerStats:
        """Run every line until stopped, the simulated day ends, or the campaign is done."""
        await self.db.run(self._register)
        if self._llm_config is not None:  # one kept client for every line of this worker
            self._llm = LlmTransport(self._llm_config, max_concurrent=max(2, self.config.lines))
        for _ in range(self.config.lines + 1):
            self.clock.join()
        beat = asyncio.create_task(self._heartbeat())
        try:
            await asyncio.gather(*(self._line(n) for n in range(self.config.lines)))
        finally:
            self._stopping.set()
            if self._prober is not None:
                await self._prober
            await beat
            await self.db.run(self._hand_back_all)
            if self._llm is not None:
                self._llm.close()
                self._llm = None
        return self.stats

    def _register(self) -> None:
        """Check the campaign's scripts, load their NLU models and register this worker: the
        first classification trains a model (~1.5 s) and must not fall inside a live call."""
        with self.sessions() as s:
            if self.config.campaign_id is not None:  # fail fast rather than on every call
                campaign = campaign_service.get_campaign(s, self.config.campaign_id)
                campaign_service.check_scripts(s, campaign)
                warm_up(campaign.lang)
                identity.warm_up(campaign.lang)
            else:  # any campaign may come: every language's model (each trained once per process)
                for lang in ("zh-CN", "en-US"):
                    warm_up(lang)
                    identity.warm_up(lang)
            tasks.register_worker(
                s,
                self.id,
                host=socket.gethostname(),
                pid=os.getpid(),
                lines=self.config.lines,
                now=self.clock.now(),
            )
            s.commit()

    def _hand_back_all(self) -> None:
        with self.sessions() as s:
            tasks.hand_back_all(s, self.id)
            tasks.set_worker_status(s, self.id, "stopped")
            s.commit()

    # -- timing -------------------------------------------------------------------------------

    def _over(self) -> bool:
        return self._stopping.is_set() or (
            self.config.until is not None and self.clock.now() >= self.config.until
        )

    async def _nap(self, until: datetime) -> None:
        """Wait on the clock until `until`, or until the worker is told to stop."""
        if self.config.until is not None:
            until = min(until, self.config.until)
        sleeper = asyncio.ensure_future(self.clock.sleep_until(until))
        stopper = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for t in (sleeper, stopper):
            if not t.done():
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await t

    async def _heartbeat(self) -> None:
        every = self.config.lease / 3
        try:
            while True:
                try:
                    await self.db.run(self._beat)
                except Exception:  # a lost database connection must not end the worker
                    log.exception("heartbeat failed (worker %s)", self.id)
                if self._over():
                    break
                await self._nap(self.clock.now() + every)
        finally:
            self.clock.leave()

    def _beat(self) -> None:
        with self.sessions() as s:
            now = self.clock.now()
            tasks.heartbeat(s, self.id, now, ttl=self.config.lease)
            tasks.reclaim_expired(s, now)
            s.commit()

    # -- one line ----------------------------------------------------------------------------

    async def _line(self, n: int) -> None:
        robot = f"{self.id[-24:]}/R{n + 1:02d}"  # call_attempt.robot_id holds 32
        try:
            while not self._over():
                if not self._trunk_up.is_set():
                    await self._until_trunk_up()
                    continue
                now = self.clock.now()
                try:
                    leases = await self.db.run(partial(self._lease, now))
                    if not leases:
                        if await self._idle(now):
                            break
                        continue
                except Exception:  # the database went away for a moment: wait, never die
                    log.exception("robot %s could not lease work; retrying", robot)
                    await self._nap(now + self.config.idle_poll)
                    continue
                if not await self._take_turn(leases[0].campaign_id, n):
                    break  # stopped while waiting for an agent: the lease is handed back below
                busy_until = await self._work(leases[0], robot, n)
                if (turn := self._turns.pop(n, None)) is not None:
                    turn.release()
                await self._nap(max(busy_until, self.clock.now()) + WRAP_UP)
        finally:
            self.clock.leave()

    # -- the trunk's health ---------------------------------------------------------------------

    def _trunk_call_ended(self, call: CallResult) -> None:
        """Feed the circuit breaker; the call that takes the trunk down pauses every line."""
        if self.trunk_health is None or call.outcome is None:
            return
        now = asyncio.get_running_loop().time()
        failed = call.outcome == CallOutcome.TRUNK_FAILED
        cause = f"{call.failed_at}:{call.failure}" if failed else None
        if self.trunk_health.call_ended(failed, now, cause):
            log.warning(
                "trunk down after %d trunk failures in a row (%s): dialing paused, probing with OPTIONS",
                self.trunk_health.failures,
                self.trunk_health.reason or "unknown",
            )
            self._trunk_up.clear()
            self._prober = asyncio.create_task(self._probe_trunk())

    async def _probe_trunk(self) -> None:
        """Probe with back-off until answered (or the worker stops); then the lines lease again."""
        health, loop = self.trunk_health, asyncio.get_running_loop()
        assert health is not None  # noqa: S101 - started only by _trunk_call_ended
        while not health.up and not self._stopping.is_set():
            wait = max((health.next_probe_at or 0.0) - loop.time(), 0.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)  # back-off, cut short by stop()
            if self._stopping.is_set():
                break
            try:
                answered = await self._probe() if self._probe is not None else True
            except Exception:
                log.exception("trunk probe failed")
                answered = False
            if health.probe_result(answered, loop.time()):
                log.warning("trunk answered a probe: dialing resumes")
        self._trunk_up.set()

    async def _until_trunk_up(self) -> None:
        waiter = asyncio.ensure_future(self._trunk_up.wait())
        stopper = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for t in (waiter, stopper):
            t.cancel()

    # -- agent campaigns (predictive / progressive) ------------------------------------------------

    def _pacer(self, campaign_id: int) -> CampaignPacer | None:
        if campaign_id not in self._pacers:
            with self.sessions() as s:
                campaign = self._campaign(s, campaign_id)
            self._pacers[campaign_id] = (
                CampaignPacer(self.sessions, campaign, self.clock, db=self.db)
                if is_agent_campaign(campaign)
                else None
            )
        return self._pacers[campaign_id]

    async def _take_turn(self, campaign_id: int, line: int) -> bool:
        """Agent campaigns wait until pacing lets this line dial; False when stopped meanwhile.
        Never raises: a database hiccup makes the line wait, unpaced dials never happen."""
        while True:
            try:
                pacer = await self.db.run(partial(self._pacer, campaign_id))
                break
            except Exception:
                log.exception("campaign %s: could not read its mode; line %s waits", campaign_id, line)
                await self._nap(self.clock.now() + self.config.idle_poll)
                if self._over():
                    return False
        if pacer is None:
            return True
        turn = await pacer.turn(self._nap, self._over)
        if turn is None:
            return False
        self._turns[line] = turn
        return True

    def _router(self, campaign_id: int, line: int) -> RouteAnswer | None:
        pacer, turn = self._pacers.get(campaign_id), self._turns.get(line)
        if pacer is None or turn is None:
            return None
        return lambda session, attempt_id, at: pacer.route(session, turn, attempt_id, at)

    def _lease(self, now: datetime) -> list[tasks.Lease]:
        with self.sessions() as s:
            leases = tasks.lease_due(
                s, self.id, now, ttl=self.config.lease, campaign_id=self.config.campaign_id
            )
            s.commit()
        return leases

    async def _idle(self, now: datetime) -> bool:
        """Wait for the next due task; True when this line should end."""
        due = await self.db.run(partial(self._next_due, now))
        if due is True:
            return True
        wake = now + self.config.idle_poll
        if isinstance(due, datetime) and due > now:
            wake = min(wake, due)
        await self._nap(wake)
        return False

    def _next_due(self, now: datetime) -> datetime | bool | None:
        """When the next task falls due; True when the campaign is done (and this line ends)."""
        with self.sessions() as s:
            if self.config.exit_when_done and self.config.campaign_id is not None:
                done = campaign_service.finish_if_done(s, self.config.campaign_id, now)
                s.commit()
                status = campaign_service.get_campaign(s, self.config.campaign_id).status
                if done or status in ("stopped", "done"):
                    return True
            return tasks.next_due(s, self.config.campaign_id)

    async def _work(self, lease: tasks.Lease, robot: str, line: int) -> datetime:
        """Work one leased task; returns when the line is free again. Never raises."""
        with self.sessions() as s:
            try:
                return await self._call(s, lease, robot, line)
            except tasks.LeaseLost:
                await self.db.run(s.rollback)
                self.stats.lost_leases += 1
                log.warning("task %s: lease lost, its call is not recorded by this worker", lease.task_id)
            except Exception:
                self.stats.crashed_calls += 1
                log.exception("task %s failed on robot %s", lease.task_id, robot)
                await self.db.run(partial(self._hand_back_crashed, s, lease))
        return self.clock.now()

    def _hand_back_crashed(self, s: Session, lease: tasks.Lease) -> None:
        s.rollback()
        now = self.clock.now()
        try:
            tasks.abandon(s, lease, now, now + RetryConfig().failed_delay, "the dialer crashed mid-call")
            s.commit()
        except Exception:
            s.rollback()
            log.exception("task %s could not be handed back; its lease will expire", lease.task_id)

    async def _call(self, s: Session, lease: tasks.Lease, robot: str, line: int) -> datetime:
        """Prepare (db) → `place_call` (its own committed stages; the task's next step commits
        with the call's record) → the desk hand-off (db)."""
        now = self.clock.now()
        prepared = await self.db.run(partial(self._prepare, s, lease, now))
        if not isinstance(prepared, _Prepared):
            return prepared
        call = await place_call(
            s,
            prepared.work,
            self.carrier,
            self.clock,
            robot,
            script=prepared.running.script,
            script_version_id=prepared.running.version_id,
            caller_id=prepared.caller_id,
            db=self.db,
            on_started=partial(self._started, s, lease, prepared, now),
            on_recorded=partial(self._after_call, s, lease, prepared, now),
            agent_available=self.agent_available,
            route_answer=self._router(prepared.campaign.id, line),
            llm=self._llm,
            agent_line=self.agent_line,
        )
        if call.attempt_id is None:  # the compliance engine denied it: nothing was dialled
            await self.db.run(partial(self._after_denial, s, lease, prepared, call, now))
            return now
        self._trunk_call_ended(call)
        if call.transfer_requested and self.on_transfer is not None and call.answered_by != AnswerRoute.AGENT:
            await self.db.run(partial(self._hand_off, s, call))
        ended = now + timedelta(seconds=call.seconds)
        self.stats.attempts += 1
        self.stats.attempts_per_line[line] += 1
        if self.progress is not None:
            self.progress(self.stats.attempts, ended)
        return ended

    def _started(
        self, s: Session, lease: tasks.Lease, p: _Prepared, now: datetime, attempt_id: int, entry_id: int
    ) -> None:
        """With the attempt's start: the task's call in flight and the treatment decision (the
        profile and model versions it read), in the same transaction."""
        tasks.mark_in_flight(s, lease, attempt_id, entry_id)
        profiling.record_decision(
            s,
            attempt_id=attempt_id,
            account_id=p.facts.account_id,
            at=now,
            bucket=p.facts.bucket,
            treatment=p.treatment.value,
            script=p.running.script.id,
            profile=p.profile,
            strategy_version_id=p.strategy_version_id,
            strategy_reason=p.strategy_reason,
            experiment_arm=p.experiment_arm,
        )

    def _prepare(self, s: Session, lease: tasks.Lease, now: datetime) -> _Prepared | datetime:
        """Read the task's facts and choose the number, caller ID and script; the instant the
        line is free again when there is nothing to call now (the task is handed on)."""
        campaign = self._campaign(s, lease.campaign_id)
        facts = tasks.call_facts(s, lease.task_id)
        # The campaign's window inside the rule pack's as it is now: an operator's tightening
        # after the campaign was created holds at once, without a denial at every opening.
        allowed = calling_window(campaign.jurisdiction)
        start, end = max(campaign.window_start, allowed.start), min(campaign.window_end, allowed.end)
        if start >= end:  # no overlap: keep the campaign's hours; reserve denies every dial
            start, end = campaign.window_start, campaign.window_end
        # The profile of the last refresh: the treatment (with the bucket) and the best hour to call.
        profile = profiling.profile_of(s, facts.account_id)
        best = profile.best_hours[0] if profile is not None and profile.best_hours else None
        window = Window(start, end, facts.timezone, preferred_hour=best)
        config = RetryConfig.from_json(campaign.retry)
        memory = TaskMemory.from_json(facts.memory)
        memory.roll_to(window.local_day(now))
        if not window.contains(now):
            tasks.hand_back(s, lease, window.clamp(now))
            s.commit()
            return now
        # The approved strategy decides, or the account's arm while an experiment runs.
        chosen = strategy_for_account(
            s,
            facts.account_id,
            at=now,
            bucket=facts.bucket,
            segment=profile.segment.value if profile is not None else None,
            owed=facts.overdue,
        )
        if chosen.strategy is None:  # the experiment's holdout: no robot call while it runs
            tasks.complete(
                s,
                lease,
                Next(done_reason="holdout"),
                memory=memory.to_json(),
                denials=facts.denials,
                attempts=facts.attempts,
            )
            s.commit()
            return now
        contacts = tasks.contacts_of(s, facts.debtor_id)
        contact = pick_contact(contacts, memory)
        if contact is None:
            nxt = (
                Next(done_reason="no_number")
                if not any_usable(contacts)
                else nothing_to_dial_today(now, window)
            )
            tasks.complete(
                s, lease, nxt, memory=memory.to_json(), denials=facts.denials, attempts=facts.attempts
            )
            s.commit()
            return now
        caller_id = campaign_service.take_caller_id(s, campaign, now)
        if caller_id is None:  # every caller ID is at its daily limit
            tasks.hand_back(s, lease, window.next_day_start(now))
            s.commit()
            return now
        third_party = contact.relation != Relation.SELF
        # Escalation to a person, else bucket × segment.
        strategy = chosen.strategy
        decision = strategy.decide(case_of(facts.bucket, profile))
        treatment = Treatment(decision.treatment)
        running = self._script(s, campaign, strategy.script(treatment.value), third_party)
        # Decrypted here, for this call's context only (a third party is never asked).
        check, answer = (
            knowledge_answer(s, facts.account_id) if not third_party else (KnowledgeCheck.NONE, "")
        )
        s.commit()  # the caller ID taken; no transaction stays open while the call is placed
        work = CallWork(
            account_id=facts.account_id,
            contact=contact,
            number=contact.number,
            debtor_name=facts.debtor_name,
            platform=facts.product or "本平台",
            amount_fen=facts.overdue,
            due_date=facts.due_date,
            today=window.local_day(now),
            campaign_id=campaign.id,
            timezone=facts.timezone,
            plan_bounds=strategy.bounds(treatment.value),  # the treatment the strategy chose
            dialect=campaign.voice or facts.dialect,
            callback_number=campaign.callback_number,
            agent_name=campaign.contact_name,
            knowledge_check=check,
            knowledge_answer=answer,
            amd=campaign.amd,
        )
        return _Prepared(
            campaign,
            facts,
            window,
            config,
            memory,
            contacts,
            contact,
            caller_id,
            running,
            work,
            treatment,
            profile,
            chosen.version_id,
            decision.reason,
            chosen.arm.value if chosen.arm is not None else None,
        )

    def _after_denial(
        self, s: Session, lease: tasks.Lease, p: _Prepared, call: CallResult, now: datetime
    ) -> None:
        """The caller ID goes back and the task waits as the denying rule says."""
        campaign_service.give_back_caller_id(s, p.campaign, p.caller_id, now)
        rule = call.decision.rule or "?"
        denials = p.facts.denials
        denials[rule] = denials.get(rule, 0) + 1
        self.stats.denials[rule] += 1
        nxt = after_denial(
            call.decision.rule, call.decision.next_allowed_at, p.contact.id, now, p.memory, p.config, p.window
        )
        tasks.complete(s, lease, nxt, memory=p.memory.to_json(), denials=denials, attempts=p.facts.attempts)
        s.commit()

    def _after_call(
        self, s: Session, lease: tasks.Lease, p: _Prepared, now: datetime, call: CallResult
    ) -> None:
        """The task's next step, written in the call's record unit (committed together)."""
        ended = now + timedelta(seconds=call.seconds)
        # A trunk failure dialled nobody: it does not use up the task's attempts.
        attempts = p.facts.attempts + (call.outcome != CallOutcome.TRUNK_FAILED)
        nxt = after_attempt(
            Attempted(
                contact_id=p.contact.id,
                own_number=p.contact.relation == Relation.SELF,
                outcome=call.outcome or CallOutcome.FAILED,
                disposition=call.disposition,
                ended=ended,
                callback_at=call.callback_at,
                promise_due=call.promise_due if call.disposition == Disposition.PTP else None,
                other_own_number=own_numbers_left(p.contacts, p.memory, besides=p.contact.id),
            ),
            p.memory,
            attempts,
            p.config,
            p.window,
        )
        tasks.complete(s, lease, nxt, memory=p.memory.to_json(), denials=p.facts.denials, attempts=attempts)

    def _hand_off(self, s: Session, call: CallResult) -> None:
        """After the call's own commit: a failing hand-off must not lose the call's record."""
        if self.on_transfer is None or call.attempt_id is None:
            return
        try:
            self.on_transfer(s, call.attempt_id, call)
            s.commit()
        except Exception:
            s.rollback()
            log.exception("transfer hook failed for attempt %s", call.attempt_id)

    def _campaign(self, s: Session, campaign_id: int) -> Campaign:
        """The campaign's settings, read once per worker (they do not change once created; its
        status is checked at every lease)."""
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            campaign = campaign_service.get_campaign(s, campaign_id)
            s.expunge(campaign)
            self._campaigns[campaign_id] = campaign
        return campaign

    def _script(
        self, s: Session, campaign: Campaign, treatment_script: str, third_party: bool
    ) -> RunningScript:
        """Only approved versions run: the campaign's script, else the treatment's (bucket ×
        segment); a third party hears only the third-party script."""
        name = THIRD_PARTY_SCRIPT if third_party else campaign.script_name or treatment_script
        key = (name, campaign.lang)
        if key not in self._scripts:
            self._scripts[key] = running_script(s, name, campaign.lang)
        return self._scripts[key]


def case_of(bucket: str, profile: profiling.ProfileRead | None) -> Case:
    """What the strategy reads of an account: its bucket and, once profiled, its segment,
    broken promises and the days the robot has worked it."""
    if profile is None:
        return Case(bucket, None)
    return Case(bucket, profile.strategy_segment, profile.promises_broken, profile.days_worked)
