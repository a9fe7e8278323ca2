"""The floor's dashboard: one day's figures (in the floor's time zone), live counts, recovery by
bucket and compliance denials with their rules' titles."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huikuan.analytics import dashboard_repository as repo
from huikuan.analytics.dashboard_schemas import BUCKETS, BucketRecovery, Dashboard, DenialCount
from huikuan.compliance.packs import default_packs


def floor_day(now: datetime, timezone: str) -> date:
    """The floor's calendar day at instant `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


def hour_bounds(day: date, timezone: str) -> list[datetime]:
    """The 25 instants that cut `day` into its local hours (0:00 … 24:00 of the floor)."""
    zone = ZoneInfo(timezone)
    starts = [datetime.combine(day, time(hour), zone) for hour in range(24)]
    return [*starts, datetime.combine(day + timedelta(days=1), time(0), zone)]


def rule_titles(rule: str) -> tuple[str, str]:
    """(Chinese, English) title of a rule from the shipped packs; the id itself if none has it."""
    for pack in default_packs().values():
        for spec in pack.specs:
            if spec.id == rule:
                return spec.title_zh, spec.title_en
    return rule, rule


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def dashboard(
    session: Session,
    day: date,
    timezone: str,
    *,
    campaign_id: int | None = None,
    robots_live: int = 0,
) -> Dashboard:
    """Every figure of the dashboard for the floor's `day`; `robots_live` comes from the dialer
    (the robot lines of running campaigns). Denials and complaints are per debtor, not per
    campaign: a stop or a cap holds for every campaign alike, so they ignore `campaign_id`."""
    bounds = hour_bounds(day, timezone)
    start, end = bounds[0], bounds[-1]
    attempts, connects, rpc = repo.attempt_counts(session, start, end, campaign_id)
    promises, promised, kept = repo.promise_totals(session, start, end, campaign_id)
    payments, collected = repo.payment_totals(session, start, end, campaign_id)
    by_bucket = repo.recovery_by_bucket(session, campaign_id)
    opened, still_open = repo.complaint_counts(session, start, end)
    return Dashboard(
        day=day,
        timezone=timezone,
        campaign_id=campaign_id,
        robots_live=robots_live,
        calls_live=repo.calls_in_progress(session, campaign_id),
        attempts=attempts,
        connects=connects,
        right_party_contacts=rpc,
        promises=promises,
        attempts_by_hour=repo.attempts_per_slot(session, bounds, campaign_id),
        amount_promised=promised,
        payments=payments,
        amount_collected=collected,
        amount_kept=kept,
        recovery_by_bucket=[
            BucketRecovery(bucket=b, accounts=n, overdue=overdue, collected=paid, rate=_ratio(paid, overdue))
            for b in BUCKETS
            for n, overdue, paid in [by_bucket.get(b, (0, 0, 0))]
        ],
        denials=[
            DenialCount(rule=rule, title_zh=zh, title_en=en, count=n)
            for rule, n in _merge_jurisdictions(repo.denials_by_rule(session, start, end))
            for zh, en in [rule_titles(rule)]
        ],
        complaints_opened=opened,
        complaints_open=still_open,
        connect_rate=_ratio(connects, attempts),
        rpc_rate=_ratio(rpc, attempts),
        ptp_rate=_ratio(promises, rpc),
    )


def _merge_jurisdictions(rows: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    # Rule ids carry their jurisdiction ("CN.TIME"), so the id alone names the rule.
    merged: dict[str, int] = {}
    for _jurisdiction, rule, n in rows:
        merged[rule] = merged.get(rule, 0) + n
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))


def change_marker(session: Session) -> tuple[int, ...]:
    """A cheap value that changes whenever the dashboard's figures may have (for polling)."""
    return repo.change_marker(session)
