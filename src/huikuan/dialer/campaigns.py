"""The campaign service: create (validated against the rule pack), start/pause/resume/stop,
caller-ID choice under per-ID daily limits, and progress at any time.

Services take a session and never commit (CONVENTIONS #2).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from huikuan.compliance import calling_window
from huikuan.dialer.models import CallerIdUse, Campaign, DialTask
from huikuan.dialer.retry import RetryConfig
from huikuan.dialogue.versions import running_script
from huikuan.errors import Conflict, InvalidInput, NotFound
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.portfolio.models import Account, Batch, Debtor
from huikuan.strategy import SCRIPT_FOR, THIRD_PARTY_SCRIPT, Treatment
from huikuan.types import CallOutcome, PromiseStatus

# The carrier's day for caller-ID limits: the operator's trunks count in Beijing time for CN.
CALLER_ID_ZONE = {"CN": "Asia/Shanghai", "US": "America/New_York"}


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    DONE = "done"


class CampaignMode(StrEnum):
    ROBOT = "robot"
    PREDICTIVE = "predictive"  # agent campaigns (desk): paced dials for human agents
    PROGRESSIVE = "progressive"


TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.RUNNING, CampaignStatus.STOPPED}),
    CampaignStatus.RUNNING: frozenset({CampaignStatus.PAUSED, CampaignStatus.STOPPED, CampaignStatus.DONE}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.RUNNING, CampaignStatus.STOPPED}),
    CampaignStatus.STOPPED: frozenset(),
    CampaignStatus.DONE: frozenset(),
}


@dataclass(frozen=True, slots=True)
class CallerId:
    number: str
    daily_limit: int


@dataclass(frozen=True)
class CampaignCreate:
    name: str
    jurisdiction: str = "CN"
    batch_id: int | None = None
    creditor_id: int | None = None
    buckets: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    dpd_min: int | None = None
    dpd_max: int | None = None
    script_name: str | None = None  # None: the strategy's treatment picks the script per bucket
    lang: str = "zh-CN"
    voice: str | None = None
    strategy: str = "default"
    robots: int = 1
    priority: int = 0
    window_start: time | None = None  # None: the rule pack's window (operator's settings applied)
    window_end: time | None = None
    caller_ids: tuple[CallerId, ...] = ()
    retry: dict[str, Any] = field(default_factory=dict)
    mode: CampaignMode = CampaignMode.ROBOT
    robot_overflow: bool = True  # agent modes: a robot takes an answered call no agent is free for
    ends_at: datetime | None = None


def pack_window(jurisdiction: str) -> tuple[time, time]:
    """The calling window the jurisdiction's rule pack allows, operator's settings applied."""
    window = calling_window(jurisdiction)
    return window.start, window.end


def create_campaign(session: Session, spec: CampaignCreate, *, now: datetime) -> Campaign:
    """A draft campaign; refused when its window is wider than the pack's or its input is bad."""
    allowed_start, allowed_end = pack_window(spec.jurisdiction)
    window_start = allowed_start if spec.window_start is None else spec.window_start
    window_end = allowed_end if spec.window_end is None else spec.window_end
    if window_start >= window_end:
        raise InvalidInput("呼叫时段须开始早于结束 / the calling window must start before it ends")
    if window_start < allowed_start or window_end > allowed_end:
        raise InvalidInput(
            f"呼叫时段 {window_start:%H:%M}–{window_end:%H:%M} 超出规则包允许的 "
            f"{allowed_start:%H:%M}–{allowed_end:%H:%M} / calling window outside the "
            f"{spec.jurisdiction} pack's {allowed_start:%H:%M}–{allowed_end:%H:%M}"
        )
    if spec.robots < 1:
        raise InvalidInput("机器人数至少为 1 / robots must be at least 1")
    if spec.dpd_min is not None and spec.dpd_max is not None and spec.dpd_min > spec.dpd_max:
        raise InvalidInput("逾期天数范围无效 / days-past-due range: min is above max")
    if any(c.daily_limit < 1 for c in spec.caller_ids):
        raise InvalidInput("主叫号码每日上限至少为 1 / a caller ID's daily limit must be at least 1")
    if spec.batch_id is not None and session.get(Batch, spec.batch_id) is None:
        raise NotFound(f"委案批次 {spec.batch_id} 不存在 / batch {spec.batch_id} not found")
    RetryConfig.from_json(spec.retry)  # refuse unknown or negative settings now, not mid-day
    campaign = Campaign(
        name=spec.name,
        jurisdiction=spec.jurisdiction,
        status=CampaignStatus.DRAFT.value,
        mode=CampaignMode(spec.mode).value,
        robot_overflow=spec.robot_overflow,
        batch_id=spec.batch_id,
        creditor_id=spec.creditor_id,
        buckets=list(spec.buckets),
        segments=list(spec.segments),
        dpd_min=spec.dpd_min,
        dpd_max=spec.dpd_max,
        script_name=spec.script_name,
        lang=spec.lang,
        voice=spec.voice,
        strategy=spec.strategy,
        robots=spec.robots,
        priority=spec.priority,
        window_start=window_start,
        window_end=window_end,
        caller_ids=[{"number": c.number, "daily_limit": c.daily_limit} for c in spec.caller_ids],
        retry=dict(spec.retry),
        created_at=now,
        ends_at=spec.ends_at,
    )
    session.add(campaign)
    session.flush()
    return campaign


def get_campaign(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign:
    query = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        query = query.with_for_update()
    campaign = session.scalars(query).one_or_none()
    if campaign is None:
        raise NotFound(f"活动 {campaign_id} 不存在 / campaign {campaign_id} not found")
    return campaign


def _move(session: Session, campaign_id: int, to: CampaignStatus) -> Campaign:
    campaign = get_campaign(session, campaign_id, lock=True)
    current = CampaignStatus(campaign.status)
    if to not in TRANSITIONS[current]:
        raise Conflict(
            f"活动 {campaign_id} 当前为 {current}，不能变为 {to} / campaign {campaign_id} is {current}, "
            f"cannot become {to}"
        )
    campaign.status = to.value
    return campaign


def start_campaign(session: Session, campaign_id: int, *, now: datetime) -> int:
    """Queue one task per targeted debtor (due now) and let workers lease them; returns the count."""
    campaign = _move(session, campaign_id, CampaignStatus.RUNNING)
    campaign.started_at = now
    return enqueue_targets(session, campaign, now=now)


def required_scripts(campaign: Campaign) -> list[str]:
    """The scripts the campaign's calls may run: its own or every treatment's, and the
    third-party one."""
    own = [campaign.script_name] if campaign.script_name else sorted(set(SCRIPT_FOR.values()))
    return [*own, THIRD_PARTY_SCRIPT]


def check_scripts(session: Session, campaign: Campaign) -> None:
    """Refuse to dial a campaign whose scripts have no approved version (only approved run);
    records the main script's running version on the campaign."""
    versions = [running_script(session, name, campaign.lang) for name in required_scripts(campaign)]
    main = campaign.script_name or SCRIPT_FOR[Treatment.FRIENDLY_REMINDER]
    campaign.script_version_id = next(v.version_id for v in versions if v.code == f"{main}.{campaign.lang}")


def pause_campaign(session: Session, campaign_id: int) -> None:
    """Workers lease nothing more of it; calls in progress finish."""
    _move(session, campaign_id, CampaignStatus.PAUSED)


def resume_campaign(session: Session, campaign_id: int) -> None:
    _move(session, campaign_id, CampaignStatus.RUNNING)


def stop_campaign(session: Session, campaign_id: int, *, now: datetime) -> None:
    """For good: queued tasks are closed; calls in progress finish and are recorded."""
    campaign = _move(session, campaign_id, CampaignStatus.STOPPED)
    campaign.finished_at = now
    session.execute(
        update(DialTask)
        .where(DialTask.campaign_id == campaign_id, DialTask.state == "queued")
        .values(state="done", done_reason="stopped")
    )


def target_accounts(session: Session, campaign: Campaign) -> dict[int, int]:
    """debtor id → the account the campaign calls about (the debtor's largest overdue one)."""
    query = select(Account.id, Account.debtor_id, Account.overdue).where(Account.status == "open")
    if campaign.batch_id is not None:
        query = query.where(Account.batch_id == campaign.batch_id)
    if campaign.creditor_id is not None:
        query = query.where(Account.creditor_id == campaign.creditor_id)
    if campaign.buckets:
        query = query.where(Account.bucket.in_(campaign.buckets))
    if campaign.dpd_min is not None:
        query = query.where(Account.days_past_due >= campaign.dpd_min)
    if campaign.dpd_max is not None:
        query = query.where(Account.days_past_due <= campaign.dpd_max)
    query = query.join(Debtor, Debtor.id == Account.debtor_id).where(
        Debtor.jurisdiction == campaign.jurisdiction
    )
    # Segments: stored on the campaign; no debtor has one until profiling assigns it (issue 7),
    # so there is nothing known to filter on yet.
    best: dict[int, tuple[int, int]] = {}
    for account_id, debtor_id, overdue in session.execute(query.order_by(Account.id)):
        if debtor_id not in best or overdue > best[debtor_id][1]:
            best[debtor_id] = (account_id, overdue)
    return {d: a for d, (a, _) in best.items()}


def enqueue_targets(session: Session, campaign: Campaign, *, now: datetime) -> int:
    """One task per targeted debtor not yet in the campaign; a debtor with a pending promise is
    due only after the promise's date has passed."""
    targets = target_accounts(session, campaign)
    existing = set(session.scalars(select(DialTask.debtor_id).where(DialTask.campaign_id == campaign.id)))
    promised = _pending_promise_dates(session, list(targets.values()))
    rows = []
    for debtor_id, account_id in targets.items():
        if debtor_id in existing:
            continue
        due = now
        if account_id in promised:
            # The worker moves it into the debtor's own window; this only keeps it asleep.
            tz = ZoneInfo(CALLER_ID_ZONE.get(campaign.jurisdiction, "UTC"))
            the_day_after = promised[account_id] + timedelta(days=1)
            due = max(now, datetime.combine(the_day_after, campaign.window_start, tzinfo=tz))
        rows.append(
            {
                "campaign_id": campaign.id,
                "debtor_id": debtor_id,
                "account_id": account_id,
                "state": "queued",
                "due_at": due,
                "lease_token": 0,
                "attempts": 0,
                "memory": {},
                "denials": {},
            }
        )
    if rows:
        session.execute(insert(DialTask), rows)
    return len(rows)


def _pending_promise_dates(session: Session, account_ids: list[int]) -> dict[int, date]:
    out: dict[int, date] = {}
    if not account_ids:
        return out
    rows = session.execute(
        select(Promise.account_id, func.max(Promise.due_date))
        .where(Promise.status == PromiseStatus.PENDING.value)
        .group_by(Promise.account_id)
    )
    wanted = set(account_ids)
    for account_id, due in rows:
        if account_id in wanted:
            out[account_id] = due
    return out


def take_caller_id(session: Session, campaign: Campaign, at: datetime) -> str | None:
    """The least-used caller ID still under its daily limit, counted now; None when all are full.

    The count is an atomic conditional UPDATE, so workers on many hosts never overshoot a limit.
    """
    if not campaign.caller_ids:
        return DEFAULT_CALLER_ID
    day = at.astimezone(ZoneInfo(CALLER_ID_ZONE.get(campaign.jurisdiction, "UTC"))).date()
    ids = [CallerId(str(c["number"]), int(c["daily_limit"])) for c in campaign.caller_ids]
    numbers = [c.number for c in ids]
    upsert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        upsert(CallerIdUse)
        .values([{"caller_id": n, "day": day, "dials": 0} for n in numbers])
        .on_conflict_do_nothing()
    )
    used = dict(
        session.execute(
            select(CallerIdUse.caller_id, CallerIdUse.dials).where(
                CallerIdUse.caller_id.in_(numbers), CallerIdUse.day == day
            )
        ).all()
    )
    for cid in sorted(ids, key=lambda c: (used.get(c.number, 0), c.number)):
        taken = session.execute(
            update(CallerIdUse)
            .where(
                CallerIdUse.caller_id == cid.number,
                CallerIdUse.day == day,
                CallerIdUse.dials < cid.daily_limit,
            )
            .values(dials=CallerIdUse.dials + 1)
        )
        if taken.rowcount:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
            return cid.number
    return None


DEFAULT_CALLER_ID = "+864000000000"


def give_back_caller_id(session: Session, campaign: Campaign, caller_id: str, at: datetime) -> None:
    """Compliance denied the call: the caller ID taken for it was not used."""
    if not campaign.caller_ids:
        return
    day = at.astimezone(ZoneInfo(CALLER_ID_ZONE.get(campaign.jurisdiction, "UTC"))).date()
    session.execute(
        update(CallerIdUse)
        .where(CallerIdUse.caller_id == caller_id, CallerIdUse.day == day, CallerIdUse.dials > 0)
        .values(dials=CallerIdUse.dials - 1)
    )


@dataclass
class Progress:
    campaign_id: int
    name: str
    status: str
    tasks: dict[str, int]
    attempts: int
    connects: int
    right_party_contacts: int
    promises: int
    denials_by_rule: dict[str, int]
    done_reasons: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "status": self.status,
            "tasks": self.tasks,
            "attempts": self.attempts,
            "connects": self.connects,
            "right_party_contacts": self.right_party_contacts,
            "promises": self.promises,
            "denials_by_rule": self.denials_by_rule,
            "done_reasons": self.done_reasons,
        }


def progress(session: Session, campaign_id: int) -> Progress:
    """Tasks by state, attempts, connects, right-party contacts, promises, denials by rule."""
    campaign = get_campaign(session, campaign_id)
    tasks = {"queued": 0, "leased": 0, "done": 0}
    for state, n in session.execute(
        select(DialTask.state, func.count())
        .where(DialTask.campaign_id == campaign_id)
        .group_by(DialTask.state)
    ):
        tasks[state] = n
    attempts, connects, rpc = session.execute(
        select(
            func.count(CallAttempt.id),
            func.count(CallAttempt.id).filter(CallAttempt.outcome == CallOutcome.ANSWERED.value),
            func.count(CallAttempt.id).filter(CallAttempt.conversation.is_(True)),
        ).where(CallAttempt.campaign_id == campaign_id)
    ).one()
    promises = session.scalar(
        select(func.count(Promise.id))
        .join(CallAttempt, CallAttempt.id == Promise.attempt_id)
        .where(CallAttempt.campaign_id == campaign_id)
    )
    denials: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for task_denials, reason in session.execute(
        select(DialTask.denials, DialTask.done_reason).where(DialTask.campaign_id == campaign_id)
    ):
        denials.update(task_denials or {})
        if reason:
            reasons[reason] += 1
    return Progress(
        campaign_id=campaign.id,
        name=campaign.name,
        status=campaign.status,
        tasks=tasks,
        attempts=int(attempts),
        connects=int(connects),
        right_party_contacts=int(rpc),
        promises=int(promises or 0),
        denials_by_rule=dict(sorted(denials.items())),
        done_reasons=dict(sorted(reasons.items())),
    )


def finish_if_done(session: Session, campaign_id: int, now: datetime) -> bool:
    """Mark a running campaign done when nothing is leased and nothing is due before its end."""
    campaign = get_campaign(session, campaign_id, lock=True)
    if campaign.status != CampaignStatus.RUNNING:
        return campaign.status == CampaignStatus.DONE
    open_tasks = select(func.count()).where(
        DialTask.campaign_id == campaign_id, DialTask.state.in_(("queued", "leased"))
    )
    if campaign.ends_at is not None:
        open_tasks = open_tasks.where((DialTask.state == "leased") | (DialTask.due_at < campaign.ends_at))
    if session.scalar(open_tasks):
        return False
    campaign.status, campaign.finished_at = CampaignStatus.DONE.value, now
    return True


__all__ = [
    "CallerId",
    "CampaignCreate",
    "CampaignMode",
    "CampaignStatus",
    "Progress",
    "check_scripts",
    "create_campaign",
    "enqueue_targets",
    "finish_if_done",
    "get_campaign",
    "give_back_caller_id",
    "pack_window",
    "pause_campaign",
    "progress",
    "required_scripts",
    "resume_campaign",
    "start_campaign",
    "stop_campaign",
    "take_caller_id",
    "target_accounts",
]
