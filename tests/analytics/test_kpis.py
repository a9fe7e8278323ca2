from __future__ import annotations

from sqlalchemy.orm import Session

from huikuan.analytics.render import kpi_rows, kpi_table
from huikuan.analytics.service import compute_kpis
from tests.outcomes.seed import seed_history


def test_kpis_of_one_campaign_count_only_its_attempts(session: Session) -> None:
    seeded = seed_history(session)
    kpis = compute_kpis(session, seeded.campaign_id)
    assert (kpis.attempts, kpis.connects, kpis.right_party_contacts) == (3, 2, 2)
    assert (kpis.promises, kpis.amount_promised) == (1, 120_050)
    assert (kpis.transfers_requested, kpis.abusive_hangups) == (1, 1)
    assert kpis.dispositions == {"none": 1, "ptp": 1, "abusive_hangup": 1}


def test_kpis_of_all_campaigns_and_denials(session: Session) -> None:
    seed_history(session)
    kpis = compute_kpis(session)
    assert kpis.attempts == 4
    assert kpis.denied_by_rule == {"CN.CONV_PER_DAY": 1, "CN.TIME": 2}
    assert kpis.denied_total == 3


def test_empty_database_gives_zero_rates(session: Session) -> None:
    kpis = compute_kpis(session)
    assert kpis.attempts == 0
    assert kpis.connect_rate == 0.0
    assert len(kpi_table(kpis).rows) == len(kpi_rows(kpis)) == 8


def test_rows_are_bilingual_and_show_yuan(session: Session) -> None:
    seed_history(session)
    rows = {en: value for _zh, en, value in kpi_rows(compute_kpis(session))}
    assert rows["Amount promised"] == "¥1,200.50"
    assert rows["Connects"] == "2 (50.0%)"
