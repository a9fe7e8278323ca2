"""The campaign service: windows inside the pack's, targeting, states, caller-ID limits, progress."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from huikuan.dialer import campaigns
from huikuan.dialer.campaigns import CallerId, CampaignCreate
from huikuan.dialer.models import DialTask
from huikuan.errors import Conflict, InvalidInput
from huikuan.portfolio.models import Account
from tests import factories
from tests.conftest import RuleSettings, TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
T = datetime(2026, 3, 10, 10, 0, tzinfo=SH)


def test_a_window_wider_than_the_packs_is_refused(db: TestDatabase) -> None:
    with db.session() as s:
        with pytest.raises(InvalidInput, match="08:00–22:00"):
            campaigns.create_campaign(s, CampaignCreate(name="x", window_start=time(7, 30)), now=T)
        with pytest.raises(InvalidInput, match="08:00–22:00"):
            campaigns.create_campaign(s, CampaignCreate(name="x", window_end=time(22, 30)), now=T)
        with pytest.raises(InvalidInput, match="08:00–21:00"):  # the US pack ends earlier
            campaigns.create_campaign(
                s, CampaignCreate(name="x", jurisdiction="US", window_end=time(21, 30)), now=T
            )
        inside = campaigns.create_campaign(
            s, CampaignCreate(name="x", window_start=time(9), window_end=time(20)), now=T
        )
    assert (inside.window_start, inside.window_end, inside.status) == (time(9), time(20), "draft")


def test_campaign_windows_follow_the_operators_tightened_pack(
    db: TestDatabase, rule_settings: RuleSettings
) -> None:
    rule_settings({"CN": {"settings": {"CN.TIME": {"start": "09:00", "end": "20:00"}}}})
    with db.session() as s:
        with pytest.raises(InvalidInput, match="09:00–20:00"):  # the regulation's 08:00–22:00 no more
            campaigns.create_campaign(
                s, CampaignCreate(name="x", window_start=time(8), window_end=time(22)), now=T
            )
        with pytest.raises(InvalidInput, match="09:00–20:00"):
            campaigns.create_campaign(s, CampaignCreate(name="x", window_end=time(20, 30)), now=T)
        default = campaigns.create_campaign(s, CampaignCreate(name="default"), now=T)
        us = campaigns.create_campaign(s, CampaignCreate(name="us", jurisdiction="US"), now=T)
    assert (default.window_start, default.window_end) == (time(9), time(20))
    assert (us.window_start, us.window_end) == (time(8), time(21))  # only CN was tightened


def test_bad_settings_are_refused_before_any_dial(db: TestDatabase) -> None:
    with db.session() as s:
        for spec in (
            CampaignCreate(name="x", robots=0),
            CampaignCreate(name="x", dpd_min=30, dpd_max=10),
            CampaignCreate(name="x", caller_ids=(CallerId("+8610", 0),)),
            CampaignCreate(name="x", retry={"busy_delay": -5}),
        ):
            with pytest.raises(InvalidInput):
                campaigns.create_campaign(s, spec, now=T)


def test_targeting_by_bucket_and_days_past_due_queues_one_task_per_debtor(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=60, seed=2, as_of=DAY)
        accounts = s.scalars(select(Account).where(Account.batch_id == batch.id)).all()
        bucket = accounts[0].bucket
        campaign = campaigns.create_campaign(
            s, CampaignCreate(name="x", batch_id=batch.id, buckets=(bucket,), dpd_min=1, dpd_max=400), now=T
        )
        queued = campaigns.start_campaign(s, campaign.id, now=T)
        debtors = set(s.scalars(select(DialTask.debtor_id).where(DialTask.campaign_id == campaign.id)))
    expected = {a.debtor_id for a in accounts if a.bucket == bucket and 1 <= a.days_past_due <= 400}
    assert queued == len(expected) > 0
    assert debtors == expected


def test_states_move_only_the_allowed_way(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=5, seed=2, as_of=DAY)
        c = campaigns.create_campaign(s, CampaignCreate(name="x", batch_id=batch.id), now=T)
        with pytest.raises(Conflict):
            campaigns.pause_campaign(s, c.id)  # a draft has not started
        campaigns.start_campaign(s, c.id, now=T)
        campaigns.pause_campaign(s, c.id)
        campaigns.resume_campaign(s, c.id)
        campaigns.stop_campaign(s, c.id, now=T)
        with pytest.raises(Conflict):
            campaigns.resume_campaign(s, c.id)
        p = campaigns.progress(s, c.id)
    assert p.status == "stopped"
    assert p.tasks["queued"] == 0
    assert p.done_reasons == {"stopped": p.tasks["done"]}


def test_the_least_used_caller_id_under_its_limit_is_taken_and_a_full_one_never(db: TestDatabase) -> None:
    with db.session() as s:
        c = campaigns.create_campaign(
            s,
            CampaignCreate(name="x", caller_ids=(CallerId("+861000", 2), CallerId("+862000", 1))),
            now=T,
        )
        taken = [campaigns.take_caller_id(s, c, T) for _ in range(4)]
        tomorrow = campaigns.take_caller_id(s, c, T + timedelta(days=1))
    assert sorted(taken[:3]) == ["+861000", "+861000", "+862000"]
    assert taken[3] is None  # every caller ID is at its daily limit
    assert tomorrow is not None


def test_voicemail_fields_are_kept_and_a_bad_callback_number_is_refused(db: TestDatabase) -> None:
    with db.session() as s:
        for number in ("12", "call me", "1" * 25):
            with pytest.raises(InvalidInput, match="callback number"):
                campaigns.create_campaign(s, CampaignCreate(name="x", callback_number=number), now=T)
        with pytest.raises(InvalidInput, match="contact name"):
            campaigns.create_campaign(s, CampaignCreate(name="x", contact_name="李\x00娜"), now=T)
        made = campaigns.create_campaign(
            s, CampaignCreate(name="vm", callback_number=" 400-800-1234 ", contact_name="李娜"), now=T
        )
        plain = campaigns.create_campaign(s, CampaignCreate(name="plain"), now=T)
    assert (made.callback_number, made.contact_name) == ("400-800-1234", "李娜")
    assert (plain.callback_number, plain.contact_name) == ("", "")


def test_progress_sums_denials_by_rule_and_done_reasons_over_the_tasks(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=4, seed=3, as_of=DAY)
        c = campaigns.create_campaign(s, CampaignCreate(name="x", batch_id=batch.id), now=T)
        campaigns.start_campaign(s, c.id, now=T)
        tasks = list(s.scalars(select(DialTask).where(DialTask.campaign_id == c.id).order_by(DialTask.id)))
        assert len(tasks) >= 3
        tasks[0].denials = {"calling_hours": 2, "daily_cap": 1}
        tasks[1].denials = {"calling_hours": 3}
        tasks[1].state, tasks[1].done_reason = "done", "denied"
        tasks[2].state, tasks[2].done_reason = "done", "dialed_out"
        s.commit()
        p = campaigns.progress(s, c.id)
        listed = campaigns.progress(s, c.id, reasons_too=False)
    assert p.denials_by_rule == {"calling_hours": 5, "daily_cap": 1}
    assert p.done_reasons == {"denied": 1, "dialed_out": 1}
    assert listed.denials_by_rule == listed.done_reasons == {}
