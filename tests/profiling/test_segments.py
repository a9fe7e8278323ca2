"""Features and segments on hand-built histories: thin or contradictory evidence gives unknown,
a clear case gives its segment with the evidence named in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from huikuan.profiling import learned
from huikuan.profiling.features import (
    AccountRow,
    AttemptRow,
    ContactRow,
    History,
    PromiseRow,
    best_hours,
    compute,
    feature_names,
)
from huikuan.profiling.segments import Segment, by_rules
from huikuan.profiling.service import propensity_rows, segment_all

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
AT = T0 + timedelta(days=5)


def history(account_id: int = 1) -> History:
    return History(
        AccountRow(
            account_id,
            account_id,
            "M1",
            20,
            date(2026, 3, 10).toordinal(),
            500_000,
            400_000,
            100_000,
            "Asia/Shanghai",
            True,
            False,
        ),
        contacts=[ContactRow(account_id * 10, "self", "valid")],
    )


def call(
    h: History,
    when: datetime,
    *,
    intents: tuple[str, ...] = (),
    disposition: str = "none",
    answered: bool = True,
    outcome: str | None = None,
) -> None:
    """One attempt on the debtor's own number; answered ones are right-party conversations."""
    h.attempts.append(
        AttemptRow(
            h.contacts[0].contact_id,
            when,
            outcome or ("answered" if answered else "no_answer"),
            answered and outcome is None,
            disposition,
        )
    )
    h.intents.extend((i, when + timedelta(seconds=10 + n)) for n, i in enumerate(intents))


def test_never_called_is_new_and_says_so() -> None:
    verdict = by_rules(compute(history(), AT))
    assert verdict.segment == Segment.NEW
    zh, en = verdict.explanation()
    assert "已拨打 0 次" in zh
    assert "0 attempt" in en


def test_thin_data_is_unknown_not_a_guess() -> None:
    h = history()
    call(h, T0, intents=("promise_to_pay",))  # one promise line, the call ended on nothing
    verdict = by_rules(compute(h, AT))
    assert verdict.segment == Segment.UNKNOWN
    zh, en = verdict.explanation()
    assert zh.startswith("客群未知")
    assert "承诺还款 1 次" in zh
    assert en.startswith("segment unknown")
    assert "promised to pay 1 time(s)" in en


def test_contradictory_evidence_is_unknown_and_no_model_overrules_it() -> None:
    h = history()
    call(h, T0, intents=("refuse_to_pay",), disposition="refused")
    call(h, T0 + timedelta(days=1), intents=("promise_to_pay", "promise_to_pay"), disposition="ptp")
    verdict = by_rules(compute(h, AT))
    assert verdict.segment == Segment.UNKNOWN
    assert verdict.contradictory
    # Even with a trained model around, the contradiction stays unknown.
    others = [clear_case(i, kind) for i, kind in enumerate(["forgetful", "hardship"] * 20, start=100)]
    verdicts = segment_all([compute(x, AT) for x in others] + [compute(h, AT)])
    assert verdicts[-1].segment == Segment.UNKNOWN


def clear_case(account_id: int, kind: str) -> History:
    h = history(account_id)
    if kind == "forgetful":
        call(h, T0, intents=("promise_to_pay", "promise_to_pay"), disposition="ptp")
        h.promises.append(PromiseRow(T0, (T0 + timedelta(days=2)).date().toordinal(), "kept"))
    else:
        call(h, T0, intents=("hardship", "request_installment"), disposition="hardship")
    return h


def test_a_clear_forgetful_debtor_is_forgetful_with_the_evidence_named() -> None:
    verdict = by_rules(compute(clear_case(1, "forgetful"), AT))
    assert verdict.segment == Segment.FORGETFUL
    assert verdict.source == "rules"
    zh, en = verdict.explanation()
    assert "遗忘型" in zh
    assert "兑现承诺 1 次" in zh
    assert "forgetful" in en
    assert "kept 1 promise(s)" in en


def test_a_lone_dispute_is_disputing_but_against_promises_it_is_unknown() -> None:
    lone = history()
    call(lone, T0, intents=("dispute",), disposition="dispute")
    assert by_rules(compute(lone, AT)).segment == Segment.DISPUTING
    promised = clear_case(1, "forgetful")
    call(promised, T0 + timedelta(days=1), intents=("dispute",), disposition="dispute")
    verdict = by_rules(compute(promised, AT))
    assert verdict.segment == Segment.UNKNOWN
    assert verdict.contradictory


def test_numbers_that_never_reach_the_debtor_make_unreachable() -> None:
    h = history()
    for d in range(5):
        call(h, T0 + timedelta(days=d / 2), answered=False, outcome="powered_off" if d % 2 else "no_answer")
    verdict = by_rules(compute(h, AT))
    assert verdict.segment == Segment.UNREACHABLE
    assert "本人接通 0 次" in verdict.explanation()[0]


def test_features_see_nothing_at_or_after_the_instant() -> None:
    """The time split's guarantee: adding later events leaves the features unchanged."""
    h = clear_case(1, "hardship")
    before = compute(h, AT)
    call(h, AT, intents=("dispute",), disposition="dispute")
    call(h, AT + timedelta(days=1), intents=("refuse_to_pay",), disposition="refused")
    h.promises.append(PromiseRow(AT + timedelta(hours=1), AT.date().toordinal() + 3, "pending"))
    h.payments.append((10_000, AT + timedelta(hours=2)))
    assert compute(h, AT) == before
    assert compute(h, AT + timedelta(days=3)) != before


def test_propensity_rows_take_features_before_the_window_and_labels_inside_it() -> None:
    start, end = AT, AT + timedelta(days=1)
    promised, silent, not_called = history(1), history(2), history(3)
    call(promised, T0, intents=("hardship",))
    call(promised, start + timedelta(hours=3), intents=("promise_to_pay",), disposition="ptp")
    call(silent, start + timedelta(hours=4), intents=("refuse_to_pay",), disposition="refused")
    call(not_called, T0)
    x, y = propensity_rows([promised, silent, not_called], start, end)
    assert list(y) == [1, 0]  # only accounts called in the window are rows
    names = feature_names()
    # The window's own calls are not in the features: the promise and the refusal are unseen.
    assert x[0][names.index("intent_promise_to_pay")] == 0
    assert x[0][names.index("intent_hardship")] == 1
    assert x[1][names.index("intent_refuse_to_pay")] == 0
    assert x[1][names.index("attempts")] == 0
    assert np.isfinite(x).all()


def test_best_hours_rank_answer_rate_among_hours_tried_enough() -> None:
    table = {9: (4, 1), 14: (3, 3), 19: (2, 1), 20: (1, 1)}
    assert best_hours(table) == [14, 19, 9]  # 20:00 tried once: not enough to judge


def test_the_learned_model_stays_silent_when_unsure() -> None:
    rows = [(compute(clear_case(i, k), AT), Segment(k)) for i, k in enumerate(["forgetful", "hardship"] * 20)]
    model = learned.train(rows, feature_names())
    assert model is not None
    h = history()
    call(h, T0, intents=("promise_to_pay", "hardship"))  # one of each: the model cannot be sure
    verdict = model.verdict(compute(h, AT))
    assert verdict.segment == Segment.UNKNOWN
    assert verdict.confidence < learned.SURE
    assert learned.train(rows[:10], feature_names()) is None  # too few rows: no model at all
