"""The campaign service: create (validated against the rule pack), start/pause/resume/stop,
caller-ID choice under per-ID daily limits, and progress at any time.

Services take a session and never commit (CONVENTIONS #2). The SQL is `dialer.repository`;
accounts and promises are read through `portfolio.service` and `outcomes.service`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huikuan.compliance import calling_window
from huikuan.db import activity
from huikuan.dialer import repository
from huikuan.dialer.models import Campaign
from huikuan.dialer.retry import RetryConfig
from huikuan.dialogue.versions import running_script
from huikuan.errors import Conflict, InvalidInput, NotFound
from huikuan.outcomes import service as outcomes
from huikuan.portfolio import service as portfolio
from huikuan.security import audit
from huikuan.strategy import SCRIPT_FOR, THIRD_PARTY_SCRIPT, Treatment

# The carrier's day for caller-ID limits: the operator's trunks count in Beijing time for CN.
CALLER_ID_ZONE = {"CN": "Asia/Shanghai", "US": "America/New_York"}


class FieldRefused(InvalidInput):
    """Bad input in one field of a new campaign; `field` names it (as in `CampaignCreate`) so a
    form can show the reason next to it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class BatchNotFound(NotFound):
    field = "batch_id"


@contextmanager
def refused_field(name: str) -> Iterator[None]:
    """Any InvalidInput raised inside is about the field `name`."""
    try:
        yield
    except FieldRefused:
        raise
    except InvalidInput as exc:
        raise FieldRefused(name, exc.message) from exc


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
    callback_number: str = ""  # voicemail: the number to call back (digits, + - ( ) . and spaces)
    contact_name: str = ""  # voicemail: the person to ask for
    strategy: str = "default"
    robots: int = 1
    priority: int = 0
    window_start: time | None = None  # None: the rule pack's window (operator's settings applied)
    window_end: time | None = None
    caller_ids: tuple[CallerId, ...] = ()
    retry: dict[str, Any] = field(default_factory=dict)
    mode: CampaignMode = CampaignMode.ROBOT
    robot_overflow: bool = True  # agent modes: a robot takes an answered call no agent is free for
    amd: bool = True  # answering-machine detection: a machine hears only the voicemail message
    ends_at: datetime | None = None


MAX_ROBOTS = 1000
MAX_ID = 2**31 - 1  # an INTEGER column on PostgreSQL
MAX_DPD = 36500
# Text fields and their column widths: longer is refused here, not by the database mid-insert.
TEXT_WIDTHS = {"lang": 8, "voice": 32, "script_name": 64, "strategy": 32, "callback_number": 32}


def _check_sizes(spec: CampaignCreate) -> None:
    """Numbers and texts that fit their columns; days past due are never negative."""
    for name in ("batch_id", "creditor_id"):
        value = getattr(spec, name)
        if value is not None and not 1 <= value <= MAX_ID:
            raise FieldRefused(name, "编号无效 / not a valid id")
    for name in ("dpd_min", "dpd_max"):
        value = getattr(spec, name)
        if value is not None and not 0 <= value <= MAX_DPD:
            raise FieldRefused(name, f"逾期天数须在 0–{MAX_DPD} 之间 / days past due must be 0-{MAX_DPD}")
    if abs(spec.priority) > 1_000_000:
        raise FieldRefused("priority", "优先级须在 ±1000000 之内 / priority must be within ±1000000")
    for name, width in TEXT_WIDTHS.items():
        if len(getattr(spec, name) or "") > width:
            raise FieldRefused(name, f"最多 {width} 个字符 / at most {width} characters")
    texts = [
        ("name", spec.name),
        *((name, getattr(spec, name) or "") for name in TEXT_WIDTHS),
        *(("buckets", bucket) for bucket in (*spec.buckets, *spec.segments)),
    ]
    for name, value in texts:  # a control character is a paste accident (and PostgreSQL refuses NUL)
        if not value.isprintable():
            raise FieldRefused(name, "含有不可见字符 / contains unprintable characters")
    if any(len(b) > 16 for b in (*spec.buckets, *spec.segments)):
        raise FieldRefused("buckets", "账龄段最多 16 个字符 / a bucket has at most 16 characters")
    if any(len(c.number) > 32 or c.daily_limit > MAX_ID for c in spec.caller_ids):
        raise FieldRefused("caller_ids", "主叫号码或上限过长 / a caller ID or its limit is too long")


def pack_window(jurisdiction: str) -> tuple[time, time]:
    """The calling window the jurisdiction's rule pack allows, operator's settings applied."""
    window = calling_window(jurisdiction)
    return window.start, window.end


def create_campaign(
    session: Session, spec: CampaignCreate, *, now: datetime, actor: str = "system"
) -> Campaign:
    """A draft campaign; refused when its window is wider than the pack's or its input is bad."""
    name = spec.name.strip()
    if not name or len(name) > 200:
        raise FieldRefused("name", "活动名称须为 1–200 个字 / the campaign name must be 1-200 characters")
    with refused_field("jurisdiction"):
        allowed_start, allowed_end = pack_window(spec.jurisdiction)
    window_start = allowed_start if spec.window_start is None else spec.window_start
    window_end = allowed_end if spec.window_end is None else spec.window_end
    if window_start >= window_end:
        raise FieldRefused(
            "window_end", "呼叫时段须开始早于结束 / the calling window must start before it ends"
        )
    if window_start < allowed_start or window_end > allowed_end:
        raise FieldRefused(
            "window_start" if window_start < allowed_start else "window_end",
            f"呼叫时段 {window_start:%H:%M}–{window_end:%H:%M} 超出规则包允许的 "
            f"{allowed_start:%H:%M}–{allowed_end:%H:%M} / calling window outside the "
            f"{spec.jurisdiction} pack's {allowed_start:%H:%M}–{allowed_end:%H:%M}",
        )
    if spec.robots < 1:
        raise FieldRefused("robots", "机器人数至少为 1 / robots must be at least 1")
    if spec.robots > MAX_ROBOTS:
        raise FieldRefused("robots", f"机器人数至多为 {MAX_ROBOTS} / robots must be at most {MAX_ROBOTS}")
    _check_sizes(spec)
    if spec.dpd_min is not None and spec.dpd_max is not None and spec.dpd_min > spec.dpd_max:
        raise FieldRefused("dpd_max", "逾期天数范围无效 / days-past-due range: min is above max")
    if any(c.daily_limit < 1 for c in spec.caller_ids):
        raise FieldRefused(
            "caller_ids", "主叫号码每日上限至少为 1 / a caller ID's daily limit must be at least 1"
        )
    if spec.batch_id is not None and not portfolio.batch_exists(session, spec.batch_id):
        raise BatchNotFound(f"委案批次 {spec.batch_id} 不存在 / batch {spec.batch_id} not found")
    with refused_field("retry"):
        RetryConfig.from_json(spec.retry)  # refuse unknown or negative settings now, not mid-day
    with refused_field("callback_number"):
        check_voicemail_fields(spec.callback_number, "")
    with refused_field("contact_name"):
        check_voicemail_fields("", spec.contact_name)
    campaign = Campaign(
        name=name,
        jurisdiction=spec.jurisdiction,
        status=CampaignStatus.DRAFT.value,
        mode=CampaignMode(spec.mode).value,
        robot_overflow=spec.robot_overflow,
        amd=spec.amd,
        batch_id=spec.batch_id,
        creditor_id=spec.creditor_id,
        buckets=list(spec.buckets),
        segments=list(spec.segments),
        dpd_min=spec.dpd_min,
        dpd_max=spec.dpd_max,
        script_name=spec.script_name,
        lang=spec.lang,
        voice=spec.voice,
        callback_number=spec.callback_number.strip(),
        contact_name=spec.contact_name.strip(),
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
    added = repository.add_campaign(session, campaign)
    _audit(session, added.id, "campaign.create", now, actor, robots=added.robots, batch_id=added.batch_id)
    return added


def _audit(
    session: Session, campaign_id: int, action: str, at: datetime | None, actor: str, **details: Any
) -> None:
    """Every campaign action in the audit log: who, which campaign, when (ids and counts only)."""
    audit.append(
        session,
        at=at or datetime.now(UTC),
        actor=actor,
        action=action,
        entity="campaign",
        entity_id=campaign_id,
        details=details,
    )


_PHONE = re.compile(r"\+?[\d\s().-]+")


def check_voicemail_fields(callback_number: str, contact_name: str) -> None:
    """Refuse a callback number that is not a telephone number, or a contact name no one could say."""
    number = callback_number.strip()
    digits = sum(ch.isdigit() for ch in number)
    if number and (not _PHONE.fullmatch(number) or not 7 <= digits <= 20):
        raise InvalidInput(
            "回电号码须为 7–20 位数字（可含 + - ( ) . 空格）/ the callback number must be 7-20 digits "
            "(+ - ( ) . and spaces allowed)"
        )
    name = contact_name.strip()
    if len(name) > 100 or any(not ch.isprintable() for ch in name):
        raise InvalidInput(
            "联系人须为不超过 100 字的可读文字 / the contact name must be printable, at most 100 characters"
        )


def list_campaigns(session: Session) -> Sequence[Campaign]:
    """Every campaign, newest first."""
    return repository.campaigns(session)


def get_campaign(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign:
    campaign = repository.campaign(session, campaign_id, lock=lock)
    if campaign is None:
        raise NotFound(f"活动 {campaign_id} 不存在 / campaign {campaign_id} not found")
    return campaign


# What each action asks of the campaign's state: start only a draft (it queues the debtors),
# resume only a paused campaign (a draft was never started: nothing would be queued).
ACTIONS: dict[str, tuple[frozenset[CampaignStatus], CampaignStatus]] = {
    "start": (frozenset({CampaignStatus.DRAFT}), CampaignStatus.RUNNING),
    "pause": (frozenset({CampaignStatus.RUNNING}), CampaignStatus.PAUSED),
    "resume": (frozenset({CampaignStatus.PAUSED}), CampaignStatus.RUNNING),
    "stop": (
        frozenset({CampaignStatus.DRAFT, CampaignStatus.RUNNING, CampaignStatus.PAUSED}),
        CampaignStatus.STOPPED,
    ),
}


def allowed_actions(status: str) -> list[str]:
    """The actions a campaign in `status` may take now, in the order a floor uses them."""
    return [action for action, (sources, _) in ACTIONS.items() if CampaignStatus(status) in sources]


def _move(session: Session, campaign_id: int, action: str) -> Campaign:
    campaign = get_campaign(session, campaign_id, lock=True)
    current = CampaignStatus(campaign.status)
    sources, to = ACTIONS[action]
    if current not in sources or to not in TRANSITIONS[current]:
        raise Conflict(
            f"活动 {campaign_id} 当前为 {current}，不能变为 {to} / campaign {campaign_id} is {current}, "
            f"cannot become {to}"
        )
    campaign.status = to.value
    activity.announce(session)  # the dashboard's robot lines move
    return campaign


def start_campaign(session: Session, campaign_id: int, *, now: datetime, actor: str = "system") -> int:
    """Queue one task per targeted debtor (due now) and let workers lease them; returns the count."""
    campaign = _move(session, campaign_id, "start")
    campaign.started_at = now
    queued = enqueue_targets(session, campaign, now=now)
    _audit(session, campaign_id, "campaign.start", now, actor, queued=queued)
    return queued


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


def pause_campaign(
    session: Session, campaign_id: int, *, now: datetime | None = None, actor: str = "system"
) -> None:
    """Workers lease nothing more of it; calls in progress finish."""
    _move(session, campaign_id, "pause")
    _audit(session, campaign_id, "campaign.pause", now, actor)


def resume_campaign(
    session: Session, campaign_id: int, *, now: datetime | None = None, actor: str = "system"
) -> None:
    _move(session, campaign_id, "resume")
    _audit(session, campaign_id, "campaign.resume", now, actor)


def stop_campaign(session: Session, campaign_id: int, *, now: datetime, actor: str = "system") -> None:
    """For good: queued tasks are closed; calls in progress finish and are recorded."""
    campaign = _move(session, campaign_id, "stop")
    campaign.finished_at = now
    repository.close_queued(session, campaign_id, "stopped")
    _audit(session, campaign_id, "campaign.stop", now, actor)


def target_accounts(session: Session, campaign: Campaign) -> dict[int, int]:
    """debtor id → the account the campaign calls about (the debtor's largest overdue one)."""
    # Segments: stored on the campaign; no debtor has one until profiling assigns it (issue 7),
    # so there is nothing known to filter on yet.
    return portfolio.targets_for_campaign(
        session,
        jurisdiction=campaign.jurisdiction,
        batch_id=campaign.batch_id,
        creditor_id=campaign.creditor_id,
        buckets=campaign.buckets,
        dpd_min=campaign.dpd_min,
        dpd_max=campaign.dpd_max,
    )


def enqueue_targets(session: Session, campaign: Campaign, *, now: datetime) -> int:
    """One task per targeted debtor not yet in the campaign; a debtor with a pending promise is
    due only after the promise's date has passed."""
    targets = target_accounts(session, campaign)
    existing = repository.task_debtors(session, campaign.id)
    promised = outcomes.pending_promise_dates(session, list(targets.values()))
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
    repository.insert_tasks(session, rows)
    return len(rows)


def take_caller_id(session: Session, campaign: Campaign, at: datetime) -> str | None:
    """The least-used caller ID still under its daily limit, counted now; None when all are full.

    The count is an atomic conditional UPDATE, so workers on many hosts never overshoot a limit.
    """
    if not campaign.caller_ids:
        return DEFAULT_CALLER_ID
    day = at.astimezone(ZoneInfo(CALLER_ID_ZONE.get(campaign.jurisdiction, "UTC"))).date()
    ids = [CallerId(str(c["number"]), int(c["daily_limit"])) for c in campaign.caller_ids]
    numbers = [c.number for c in ids]
    repository.ensure_caller_id_days(session, numbers, day)
    used = repository.caller_id_dials(session, numbers, day)
    for cid in sorted(ids, key=lambda c: (used.get(c.number, 0), c.number)):
        if repository.count_caller_id_dial(session, cid.number, day, cid.daily_limit):
            return cid.number
    return None


DEFAULT_CALLER_ID = "+864000000000"


def give_back_caller_id(session: Session, campaign: Campaign, caller_id: str, at: datetime) -> None:
    """Compliance denied the call: the caller ID taken for it was not used."""
    if not campaign.caller_ids:
        return
    day = at.astimezone(ZoneInfo(CALLER_ID_ZONE.get(campaign.jurisdiction, "UTC"))).date()
    repository.uncount_caller_id_dial(session, caller_id, day)


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


def progress(session: Session, campaign_id: int, *, reasons_too: bool = True) -> Progress:
    """Tasks by state, attempts, connects, right-party contacts, promises, and (unless a list
    of campaigns asks, `reasons_too=False`: it sums over every task) denials by rule and done
    reasons."""
    campaign = get_campaign(session, campaign_id)
    tasks = {"queued": 0, "leased": 0, "done": 0}
    tasks.update(repository.tasks_by_state(session, campaign_id))
    counts = outcomes.attempt_counts(session, campaign_id)
    denials = repository.denials_by_rule(session, campaign_id) if reasons_too else {}
    reasons = repository.done_reasons(session, campaign_id) if reasons_too else {}
    return Progress(
        campaign_id=campaign.id,
        name=campaign.name,
        status=campaign.status,
        tasks=tasks,
        attempts=counts.attempts,
        connects=counts.connects,
        right_party_contacts=counts.right_party_contacts,
        promises=counts.promises,
        denials_by_rule=dict(sorted(denials.items())),
        done_reasons=dict(sorted(reasons.items())),
    )


def finish_if_done(session: Session, campaign_id: int, now: datetime) -> bool:
    """Mark a running campaign done when nothing is leased and nothing is due before its end."""
    campaign = get_campaign(session, campaign_id, lock=True)
    if campaign.status != CampaignStatus.RUNNING:
        return campaign.status == CampaignStatus.DONE
    if repository.open_tasks(session, campaign_id, campaign.ends_at):
        return False
    campaign.status, campaign.finished_at = CampaignStatus.DONE.value, now
    return True


__all__ = [
    "ACTIONS",
    "BatchNotFound",
    "CallerId",
    "CampaignCreate",
    "CampaignMode",
    "CampaignStatus",
    "FieldRefused",
    "Progress",
    "allowed_actions",
    "check_scripts",
    "create_campaign",
    "enqueue_targets",
    "finish_if_done",
    "get_campaign",
    "give_back_caller_id",
    "list_campaigns",
    "pack_window",
    "pause_campaign",
    "progress",
    "refused_field",
    "required_scripts",
    "resume_campaign",
    "start_campaign",
    "stop_campaign",
    "take_caller_id",
    "target_accounts",
]
