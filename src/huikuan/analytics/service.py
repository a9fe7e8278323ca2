"""KPIs for a campaign or the whole database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huikuan.analytics import repository
from huikuan.analytics.schemas import AttemptRow, CampaignFigures, DayFigures, Figures, Kpis, Report
from huikuan.errors import InvalidInput


def compute_kpis(session: Session, campaign_id: int | None = None) -> Kpis:
    """The headline KPIs of one campaign (or all campaigns when `campaign_id` is None)."""
    attempts, connects, rpc, transfers, abusive = repository.attempt_counts(session, campaign_id)
    promises, amount = repository.promise_totals(session, campaign_id)
    return Kpis(
        attempts=attempts,
        connects=connects,
        right_party_contacts=rpc,
        promises=promises,
        amount_promised=amount,
        transfers_requested=transfers,
        abusive_hangups=abusive,
        # Decisions are per debtor, not per campaign: a denial stops every campaign alike.
        denied_by_rule=repository.denials_by_rule(session),
        dispositions=repository.dispositions(session, campaign_id),
    )


MAX_REPORT_DAYS = 366


def day_range(since: date, until: date, zone: str) -> tuple[datetime, datetime]:
    """Local days `since`..`until` (both included) in `zone` as instants [start, end)."""
    if until < since:
        raise InvalidInput("结束日期早于开始日期 / the end day is before the start day")
    if (until - since).days >= MAX_REPORT_DAYS:
        raise InvalidInput(f"日期范围过长 / at most {MAX_REPORT_DAYS} days per report")
    tz = ZoneInfo(zone)
    start = datetime.combine(since, time(0), tz).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def _figures(
    attempts: tuple[int, int, int] | None, promises: tuple[int, int, int, int] | None
) -> dict[str, int]:
    a = attempts or (0, 0, 0)
    p = promises or (0, 0, 0, 0)
    return {
        "attempts": a[0],
        "connects": a[1],
        "right_party_contacts": a[2],
        "promises": p[0],
        "amount_promised": p[1],
        "kept": p[2],
        "amount_kept": p[3],
    }


def build_report(
    session: Session, since: datetime, until: datetime, zone: str, campaign_id: int | None = None
) -> Report:
    """Attempts, contact and PTP rates, promised vs kept, by day and by campaign, and the calls the
    robots closed themselves, for attempts started (promises made) in [since, until)."""
    args = (since, until, campaign_id, zone)
    day_attempts = repository.attempts_by(session, "day", *args)
    day_promises = repository.promises_by(session, "day", *args)
    by_day = [
        DayFigures(day=day, **_figures(day_attempts.get(day), day_promises.get(day)))
        for day in sorted(set(day_attempts) | set(day_promises))
    ]
    campaign_attempts = repository.attempts_by(session, "campaign", *args)
    campaign_promises = repository.promises_by(session, "campaign", *args)
    by_campaign = [
        CampaignFigures(campaign_id=cid, **_figures(campaign_attempts.get(cid), campaign_promises.get(cid)))
        for cid in sorted(set(campaign_attempts) | set(campaign_promises), key=lambda c: (c is None, c or 0))
    ]
    totals = Figures()
    for row in by_day:
        totals = totals.plus(row)
    robot = repository.robot_dispositions(session, since, until, campaign_id)
    return Report(
        since=since,
        until=until,
        timezone=zone,
        campaign_id=campaign_id,
        totals=totals,
        by_day=by_day,
        by_campaign=by_campaign,
        robot_dispositions=robot,
        robot_handled=sum(robot.values()),
        transfers_requested=repository.transfers_requested(session, since, until, campaign_id),
    )


def attempt_rows(
    session: Session, since: datetime, until: datetime, campaign_id: int | None = None
) -> Iterator[AttemptRow]:
    """The attempts of the period for an export: ids and codes only."""
    return repository.attempt_rows(session, since, until, campaign_id)
