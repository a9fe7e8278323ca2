"""Every path of the dialogue manager, in both languages, on the shipped scripts.

Most tests drive the engine with a stub classifier (`Stub`) so a path is exercised exactly,
whatever the trained NLU answers; a few run the real NLU end to end on plain utterances.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.compliance import calling_window, guard
from huikuan.compliance.guard import Context
from huikuan.dialogue import CallContext, DialogueEngine, load_script
from huikuan.dialogue.callback import in_window
from huikuan.dialogue.engine import Reply
from huikuan.dialogue.nlu import Emotion, Entities, Intent, NluResult
from huikuan.dialogue.render import DEBT_WORDS_EN, DEBT_WORDS_ZH
from huikuan.strategy import PlanBounds, Treatment, script_for
from huikuan.types import CallingWindow
from tests.conftest import RuleSettings

TODAY = date(2026, 3, 10)
SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
ZH = CallContext(
    name="王芳",
    platform="安心借",
    amount_fen=350_000,
    due_date=date(2026, 2, 18),
    today=TODAY,
    plan_bounds=PlanBounds(max_terms=6, max_waiver_pct=0, min_first_payment=10_000),
    now=datetime(2026, 3, 10, 10, 0, tzinfo=SH),
)
EN = replace(
    ZH,
    name="Alex Morgan",
    platform="Northgate Services",
    amount_fen=120_050,
    timezone="America/New_York",
    now=datetime(2026, 3, 10, 10, 0, tzinfo=NY),
)
CTX = {"zh-CN": ZH, "en-US": EN}
TREATMENT_SCRIPTS = ("reminder", "hardship", "unwilling", "dispute", "handoff")
LANGS = ("zh-CN", "en-US")


def said(
    intent: Intent,
    amount: int | None = None,
    day: date | None = None,
    emotion: Emotion = Emotion.NEUTRAL,
    confidence: float = 0.95,
) -> NluResult:
    return NluResult(intent, confidence, Entities(amount=amount, date=day), emotion)


class Stub:
    """A classifier that answers from a table (anything else is `other`) and records its calls."""

    def __init__(self, table: Mapping[str, NluResult]) -> None:
        self.table = dict(table)
        self.calls: list[str] = []

    def __call__(self, text: str, lang: str, today: date) -> NluResult:
        self.calls.append(text)
        return self.table.get(text, said(Intent.OTHER, confidence=0.3))


# One stub utterance per intent: the text is the intent's name (plus the entities in the table).
BY_INTENT = Stub({i.value: said(i) for i in Intent})


def talk(
    turns: Sequence[str | None],
    *,
    lang: str = "zh-CN",
    script: str = "reminder",
    classify: Stub | None = None,
    **ctx_changes: object,
) -> tuple[DialogueEngine, list[Reply]]:
    ctx = replace(CTX[lang], **ctx_changes)  # type: ignore[arg-type]  # test-only field overrides
    kwargs = {"classify": classify} if classify is not None else {}
    engine = DialogueEngine(load_script(script, lang), ctx, **kwargs)  # type: ignore[arg-type]
    replies = [engine.start()]
    for turn in turns:
        if engine.done:
            break
        replies.append(engine.step(turn)[1])
    return engine, replies


def discloses(text: str, lang: str) -> bool:
    amount_zh, amount_en = "3500", "1,200.50"
    if lang == "en-US":
        return amount_en in text or any(w in text.lower() for w in DEBT_WORDS_EN)
    return amount_zh in text or any(w in text for w in DEBT_WORDS_ZH)


# --- AI disclosure, identity before the debt, third parties -----------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("script", [*TREATMENT_SCRIPTS, "third_party", "voicemail"])
def test_every_opening_says_it_is_an_ai_voice_and_nothing_of_the_debt(lang: str, script: str) -> None:
    _, replies = talk([], lang=lang, script=script)
    text = replies[0].text
    assert ("智能语音助手" in text) if lang == "zh-CN" else ("automated AI voice" in text)
    assert not discloses(text, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_asked_if_it_is_a_robot_it_answers_truthfully_and_goes_on(lang: str) -> None:
    engine, replies = talk(["ask_if_robot"], lang=lang, classify=BY_INTENT)
    assert engine.outcome.asked_if_robot
    assert not engine.done
    assert ("不是真人" in replies[1].text) if lang == "zh-CN" else ("not a live person" in replies[1].text)
    assert not discloses(replies[1].text, lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("script", TREATMENT_SCRIPTS)
@pytest.mark.parametrize("intent", [i for i in Intent if i not in (Intent.CONFIRM_IDENTITY, Intent.AFFIRM)])
def test_no_debt_detail_before_identity_is_verified(lang: str, script: str, intent: Intent) -> None:
    """Whatever is said first (twice, then silence), nothing about the debt is said back."""
    engine, replies = talk([intent.value, intent.value, None], lang=lang, script=script, classify=BY_INTENT)
    assert not engine.outcome.identity_confirmed
    for reply in replies:
        assert not discloses(reply.text, lang), reply.text
        assert guard.check(reply.text, lang, Context.THIRD_PARTY).allowed


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("script", TREATMENT_SCRIPTS)
def test_the_debt_is_said_only_after_identity_is_confirmed(lang: str, script: str) -> None:
    engine, replies = talk(["confirm_identity"], lang=lang, script=script, classify=BY_INTENT)
    assert engine.outcome.identity_confirmed
    assert discloses(replies[1].text, lang) or script == "handoff"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("script", [*TREATMENT_SCRIPTS, "third_party"])
@given(intents=st.lists(st.sampled_from([*Intent, None]), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None)
def test_a_third_party_hears_nothing_of_the_debt(
    lang: str, script: str, intents: list[Intent | None]
) -> None:
    turns = [None if i is None else i.value for i in intents]
    engine, replies = talk(turns, lang=lang, script=script, classify=BY_INTENT, third_party_call=True)
    assert not engine.outcome.identity_confirmed
    assert engine.outcome.promise.amount_fen is None
    for reply in replies:
        assert not discloses(reply.text, lang), reply.text
        assert guard.check(reply.text, lang, Context.THIRD_PARTY).allowed


@pytest.mark.parametrize("lang", LANGS)
def test_the_third_party_script_has_no_debt_node_at_all(lang: str) -> None:
    script = load_script("third_party", lang)
    assert script.start == script.third_party_start
    assert not any(node.discloses_debt for node in script.nodes.values())


@pytest.mark.parametrize("lang", LANGS)
def test_voicemail_is_limited_content(lang: str) -> None:
    engine, replies = talk([], lang=lang, script="voicemail", callback_number="4008001234", agent_name="李娜")
    text = replies[0].text
    assert engine.done
    assert replies[0].end
    assert "4008001234" in text
    assert "李娜" in text
    assert CTX[lang].name in text
    assert guard.check(text, lang, Context.VOICEMAIL).allowed
    assert not discloses(text, lang)


# --- the treatment picks the script -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_treatment_picks_the_script_and_a_third_party_gets_only_theirs(lang: str) -> None:
    firsts = set()
    for treatment in Treatment:
        script = load_script(script_for(treatment), lang)
        firsts.add(script.nodes["greet"].on["confirm_identity"])
        assert load_script(script_for(treatment, third_party=True), lang).id == "third_party"
    assert firsts == {"remind", "hardship_open", "notice", "dispute_open", "handoff"}


# --- promises -------------------------------------------------------------------------------------


def test_a_promise_is_captured_and_read_back_in_chinese_with_the_real_nlu() -> None:
    engine, replies = talk(["是我", "明天还", "三千五", "对"])
    assert "3月11日" in replies[3].text
    assert "3500" in replies[3].text
    assert "对吗" in replies[3].text
    promise = engine.outcome.promise
    assert (promise.amount_fen, promise.due_date, promise.confirmed) == (350_000, date(2026, 3, 11), True)


def test_a_promise_is_read_back_in_english_with_the_real_nlu() -> None:
    engine, replies = talk(["yes this is me", "I will pay $1,200 next Friday", "yes"], lang="en-US")
    readback = replies[2].text
    assert "$1,200" in readback
    assert "March 20" in readback
    assert "right?" in readback
    assert "月" not in readback
    assert engine.outcome.disposition == "ptp"
    assert (engine.outcome.promise.amount_fen, engine.outcome.promise.due_date) == (
        120_000,
        date(2026, 3, 20),
    )


def test_a_promise_not_confirmed_is_not_recorded() -> None:
    stub = Stub(
        {
            "me": said(Intent.CONFIRM_IDENTITY),
            "pay": said(Intent.PROMISE_TO_PAY, 200_000, date(2026, 3, 12)),
            "no": said(Intent.REFUSE_TO_PAY),
        }
    )
    engine, replies = talk(["me", "pay", "no"], classify=stub)
    assert "对吗" in replies[2].text
    assert not engine.outcome.promise.confirmed
    assert engine.outcome.disposition != "ptp"


# --- installment plans -------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "ask"), [("zh-CN", "能不能分24期"), ("en-US", "can I pay in 24 months")])
def test_asking_for_more_terms_than_allowed_gets_the_maximum_allowed(lang: str, ask: str) -> None:
    first = "是我" if lang == "zh-CN" else "yes this is me"
    yes = "好的" if lang == "zh-CN" else "yes that works"
    engine, replies = talk([first, ask, yes], lang=lang, script="hardship")
    plan = engine.outcome.plan
    assert plan is not None
    assert plan.terms == 6
    assert plan.within(CTX[lang].plan_bounds)  # type: ignore[arg-type]
    assert ("分6期" in replies[2].text) if lang == "zh-CN" else ("6 monthly payments" in replies[2].text)
    assert "24" not in replies[2].text
    assert engine.outcome.disposition == "installment"
    assert engine.outcome.plan_accepted


@given(
    wanted=st.integers(min_value=1, max_value=60),
    max_terms=st.integers(min_value=1, max_value=24),
    min_first=st.integers(min_value=0, max_value=400_000),
    outstanding=st.integers(min_value=1, max_value=5_000_000),
)
@settings(max_examples=80, deadline=None)
def test_plan_bounds_are_never_exceeded(
    wanted: int, max_terms: int, min_first: int, outstanding: int
) -> None:
    bounds = PlanBounds(max_terms=max_terms, min_first_payment=min_first)
    stub = Stub({"me": said(Intent.CONFIRM_IDENTITY), f"分{wanted}期": said(Intent.REQUEST_INSTALLMENT)})
    engine, replies = talk(
        ["me", f"分{wanted}期"], script="hardship", classify=stub, plan_bounds=bounds, amount_fen=outstanding
    )
    plan = engine.outcome.plan
    if plan is None:
        assert replies[-1].node == "no_plan"
    else:
        assert plan.within(bounds)
        assert plan.terms <= min(max(wanted, 2), max_terms)
        assert f"分{plan.terms}期" in replies[-1].text


def test_no_plan_bounds_means_no_offer_but_a_specialist() -> None:
    stub = Stub({"me": said(Intent.CONFIRM_IDENTITY), "分期": said(Intent.REQUEST_INSTALLMENT)})
    engine, replies = talk(["me", "分期"], script="hardship", classify=stub, plan_bounds=None)
    assert engine.outcome.plan is None
    assert replies[-1].node == "no_plan"
    assert engine.outcome.transfer_requested


# --- abuse, emotion, reprompts ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_abuse_gets_one_calm_warning_then_a_polite_hangup(lang: str) -> None:
    engine, replies = talk(["confirm_identity", "abusive", "abusive"], lang=lang, classify=BY_INTENT)
    warning, close = replies[2], replies[3]
    assert not warning.end
    assert ("文明" in warning.text) if lang == "zh-CN" else ("respectful" in warning.text)
    assert close.end
    assert engine.done
    assert engine.outcome.disposition == "abusive_hangup"
    assert ("再见" in close.text) if lang == "zh-CN" else ("Goodbye" in close.text)


def test_a_distressed_debtor_first_hears_an_acknowledgement_once() -> None:
    stub = Stub(
        {
            "me": said(Intent.CONFIRM_IDENTITY),
            "sad": said(Intent.ASK_DETAILS, emotion=Emotion.DISTRESSED),
        }
    )
    engine, replies = talk(["me", "sad", "sad"], classify=stub)
    assert replies[2].text.startswith("唉，我理解您的难处")
    assert not replies[3].text.startswith("唉")
    assert engine.outcome.emotions == ["ack_distressed"]


def test_a_distressed_debtor_with_the_real_nlu() -> None:
    _, replies = talk(["是我", "我最近失业了，真的没钱"])
    assert replies[2].text.startswith("唉，我理解您的难处")


@pytest.mark.parametrize("lang", LANGS)
def test_an_angry_debtor_hears_a_calm_acknowledgement(lang: str) -> None:
    stub = Stub(
        {"me": said(Intent.CONFIRM_IDENTITY), "angry": said(Intent.ASK_DETAILS, emotion=Emotion.ANGRY)}
    )
    _, replies = talk(["me", "angry"], lang=lang, classify=stub)
    calm = "心平气和" if lang == "zh-CN" else "calmly"
    assert calm in replies[2].text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("turn", [None, "other", "   "])
def test_silence_or_other_is_reprompted_at_most_twice(lang: str, turn: str | None) -> None:
    engine, replies = talk(["confirm_identity", turn, turn, turn, turn], lang=lang, classify=BY_INTENT)
    assert engine.done
    assert [r.end for r in replies] == [False, False, False, False, True]
    assert engine.outcome.reprompts == 3
    assert engine.outcome.disposition == "none"


def test_an_understood_answer_resets_the_reprompt_count() -> None:
    engine, _ = talk(["other", "other", "confirm_identity", "other", "other"], classify=BY_INTENT)
    assert not engine.done


# --- transfer, callbacks ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_request_human_transfers_when_an_agent_is_free(lang: str) -> None:
    engine, _replies = talk(["request_human"], lang=lang, classify=BY_INTENT, agent_available=True)
    assert engine.outcome.transfer_requested
    assert engine.done
    assert engine.outcome.disposition == "transferred"


@pytest.mark.parametrize("lang", LANGS)
def test_request_human_books_a_callback_when_no_agent_is_free(lang: str) -> None:
    tomorrow = Stub(
        {"human": said(Intent.REQUEST_HUMAN), "tomorrow 3pm": said(Intent.OTHER, day=date(2026, 3, 11))}
    )
    text = "明天下午3点" if lang == "zh-CN" else "tomorrow 3pm"
    tomorrow.table[text] = tomorrow.table["tomorrow 3pm"]
    engine, replies = talk(["human", text], lang=lang, classify=tomorrow, agent_available=False)
    assert not engine.outcome.transfer_requested
    assert engine.outcome.callback_by_human
    assert replies[1].node == "no_agent"
    assert not replies[1].end
    zone = SH if lang == "zh-CN" else NY
    assert engine.outcome.callback_at == datetime(2026, 3, 11, 15, 0, tzinfo=zone)
    assert engine.outcome.disposition == "callback"
    assert engine.done


def test_callback_later_with_the_real_nlu_books_the_time_heard() -> None:
    engine, replies = talk(["我在开车，晚点再说", "明天下午三点"])
    assert replies[1].node == "ask_callback_time"
    assert engine.outcome.callback_at == datetime(2026, 3, 11, 15, 0, tzinfo=SH)
    assert "3月11日下午3点" in replies[2].text


def test_callback_later_in_english_with_the_real_nlu() -> None:
    engine, replies = talk(["call me back tomorrow at 3pm"], lang="en-US")
    assert engine.outcome.callback_at == datetime(2026, 3, 11, 15, 0, tzinfo=NY)
    assert "March 11 at 3 PM" in replies[1].text


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("zh-CN", "明天晚上11点", datetime(2026, 3, 11, 21, 30, tzinfo=SH)),  # CN window ends 22:00
        ("zh-CN", "明天早上6点", datetime(2026, 3, 11, 8, 0, tzinfo=SH)),
        ("en-US", "tomorrow at 9:45 pm", datetime(2026, 3, 11, 20, 30, tzinfo=NY)),  # US window ends 21:00
        ("en-US", "tomorrow at 6 am", datetime(2026, 3, 11, 8, 0, tzinfo=NY)),
    ],
)
def test_a_callback_is_clamped_into_the_calling_window(lang: str, text: str, expected: datetime) -> None:
    stub = Stub({"later": said(Intent.CALLBACK_LATER), text: said(Intent.OTHER, day=date(2026, 3, 11))})
    engine, _ = talk(["later", text], lang=lang, classify=stub)
    assert engine.outcome.callback_at == expected


TIGHT_CN = {"CN": {"settings": {"CN.TIME": {"start": "09:00", "end": "20:00"}}}}


@pytest.mark.parametrize(
    ("text", "by_law", "expected"),
    [
        ("明天早上8点半", time(8, 30), time(9)),  # the operator's window opens at 09:00
        ("明天晚上九点", time(21), time(19, 30)),  # the last slot before 20:00
        ("明天晚上7点", time(19), time(19)),
    ],
)
def test_callbacks_follow_the_operators_tightened_window(
    rule_settings: RuleSettings, text: str, by_law: time, expected: time
) -> None:
    stub = Stub({"later": said(Intent.CALLBACK_LATER), text: said(Intent.OTHER, day=date(2026, 3, 11))})
    rule_settings({})
    engine, _ = talk(["later", text], classify=stub)
    assert engine.outcome.callback_at == datetime.combine(date(2026, 3, 11), by_law, tzinfo=SH)
    rule_settings(TIGHT_CN)
    engine, _ = talk(["later", text], classify=stub)
    assert engine.outcome.callback_at == datetime.combine(date(2026, 3, 11), expected, tzinfo=SH)
    assert in_window(engine.outcome.callback_at, calling_window("CN"))


def test_the_robot_offers_tonight_inside_the_tightened_window_with_the_real_nlu(
    rule_settings: RuleSettings,
) -> None:
    rule_settings(TIGHT_CN)
    engine, replies = talk(["我在开车，晚点再说", "晚上九点"])  # said at 10:00
    assert replies[1].node == "ask_callback_time"
    assert engine.outcome.callback_at == datetime(2026, 3, 10, 19, 30, tzinfo=SH)
    assert "3月10日晚上7点30分" in replies[2].text


def test_a_window_passed_in_the_call_context_wins() -> None:
    text = "明天早上8点半"
    stub = Stub({"later": said(Intent.CALLBACK_LATER), text: said(Intent.OTHER, day=date(2026, 3, 11))})
    engine, _ = talk(["later", text], classify=stub, window=CallingWindow(time(10), time(18)))
    assert engine.outcome.callback_at == datetime(2026, 3, 11, 10, 0, tzinfo=SH)


def test_a_callback_time_already_past_moves_later() -> None:
    stub = Stub({"later": said(Intent.CALLBACK_LATER), "上午9点": said(Intent.OTHER)})
    engine, _ = talk(["later", "上午9点"], classify=stub)  # it is 10:00 now
    assert engine.outcome.callback_at == datetime(2026, 3, 11, 9, 0, tzinfo=SH)


def test_no_time_given_twice_books_the_default_inside_the_window() -> None:
    stub = Stub({"later": said(Intent.CALLBACK_LATER)})
    engine, replies = talk(["later", "嗯"], classify=stub)
    assert replies[1].node == "ask_callback_time"
    assert replies[2].node == "callback_booked"
    assert engine.outcome.callback_at is not None
    assert engine.outcome.callback_at > ZH.now


@pytest.mark.parametrize("lang", LANGS)
@given(
    hour=st.integers(min_value=0, max_value=23),
    minute=st.sampled_from([0, 15, 30, 45]),
    days=st.integers(min_value=0, max_value=5),
    now_hour=st.integers(min_value=8, max_value=21),
)
@settings(max_examples=60, deadline=None)
def test_every_booked_callback_is_inside_the_window_and_in_the_future(
    lang: str, hour: int, minute: int, days: int, now_hour: int
) -> None:
    zone = SH if lang == "zh-CN" else NY
    text = f"{hour}:{minute:02d}"
    day = date.fromordinal(TODAY.toordinal() + days)
    stub = Stub({"later": said(Intent.CALLBACK_LATER), text: said(Intent.OTHER, day=day)})
    now = datetime.combine(TODAY, time(now_hour, 30), tzinfo=zone)
    engine, _ = talk(["later", text], lang=lang, classify=stub, now=now)
    at = engine.outcome.callback_at
    assert at is not None
    assert at > now
    assert in_window(at, calling_window("CN" if lang == "zh-CN" else "US"))


# --- stops and disputes ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("intent", "stop"), [("stop_contact", "cease"), ("complaint", "complaint")])
@pytest.mark.parametrize("after_identity", [False, True])
def test_stop_contact_and_complaint_record_the_stop(
    lang: str, intent: str, stop: str, after_identity: bool
) -> None:
    turns = ["confirm_identity", intent] if after_identity else [intent]
    if stop == "cease":  # a cease request is confirmed once before it is recorded
        turns.append("affirm")
    engine, _ = talk(turns, lang=lang, classify=BY_INTENT)
    assert engine.outcome.stop == stop
    assert engine.done


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("script", ["reminder", "hardship", "unwilling"])
def test_a_dispute_opens_a_dispute_and_ends_collection_talk(lang: str, script: str) -> None:
    engine, replies = talk(
        ["confirm_identity", "dispute", "affirm"], lang=lang, script=script, classify=BY_INTENT
    )
    assert engine.outcome.stop == "dispute"
    assert engine.outcome.disposition == "dispute"
    assert engine.done
    assert replies[-1].end


NOT_THE_DEBTOR = (Intent.WRONG_NUMBER, Intent.THIRD_PARTY, Intent.DEBTOR_DECEASED)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "then", [i for i in Intent if i not in (Intent.ABUSIVE, Intent.ASK_IF_ROBOT, *NOT_THE_DEBTOR)]
)
def test_after_dispute_intake_whatever_is_said_the_call_only_closes(lang: str, then: Intent) -> None:
    engine, replies = talk(
        ["confirm_identity", "dispute", then.value], lang=lang, script="dispute", classify=BY_INTENT
    )
    assert replies[2].node == "dispute_reason"
    assert engine.outcome.stop == "dispute"
    assert engine.done
    assert replies[3].end
    assert engine.outcome.disposition == "dispute"
    assert not engine.outcome.promise.confirmed


# --- the responder hook (LLM) ------------------------------------------------------------------------


class FakeResponder:
    def __init__(self, intent: Intent | None = None, answer: str | None = None) -> None:
        self.intent, self.answer = intent, answer
        self.asked: list[tuple[str, list[str]]] = []
        self.questions: list[tuple[str, dict[str, str]]] = []

    def classify_fallback(
        self, text: str, lang: str, allowed_intents: Sequence[Intent | str], *, personal: Iterable[str] = ()
    ) -> Intent | None:
        self.asked.append((text, [str(i) for i in allowed_intents]))
        return self.intent

    def free_form_answer(
        self,
        question: str,
        facts: Mapping[str, str],
        lang: str,
        *,
        context: Context = Context.DEBTOR,
        personal: Iterable[str] = (),
    ) -> str | None:
        self.questions.append((question, dict(facts)))
        return self.answer


def _with_responder(
    responder: FakeResponder, turns: list[str], stub: Stub
) -> tuple[DialogueEngine, list[Reply]]:
    engine = DialogueEngine(load_script(), ZH, classify=stub, responder=responder)
    replies = [engine.start()]
    for turn in turns:
        replies.append(engine.step(turn)[1])
    return engine, replies


def test_low_confidence_asks_the_responder_among_the_intents_the_node_handles() -> None:
    stub = Stub({"嗯哼": said(Intent.OTHER, confidence=0.2)})
    responder = FakeResponder(intent=Intent.CALLBACK_LATER)
    _engine, replies = _with_responder(responder, ["嗯哼"], stub)
    text, allowed = responder.asked[0]
    assert text == "嗯哼"
    assert "callback_later" in allowed
    assert not any(a.startswith("@") for a in allowed)
    assert replies[-1].node != "greet"  # the responder's label was taken


@pytest.mark.parametrize(
    "label", [Intent.CONFIRM_IDENTITY, Intent.AFFIRM, Intent.WRONG_NUMBER, Intent.THIRD_PARTY]
)
def test_the_responder_never_moves_identity(label: Intent) -> None:
    """An LLM label never confirms (or denies) who is on the line: it is not even offered."""
    stub = Stub({"这手机我拿着": said(Intent.OTHER, confidence=0.2)})
    responder = FakeResponder(intent=label)
    engine, replies = _with_responder(responder, ["这手机我拿着"], stub)
    _, allowed = responder.asked[0]
    assert not {"confirm_identity", "affirm", "wrong_number", "third_party", "debtor_deceased"} & set(allowed)
    assert not engine.outcome.identity_confirmed
    assert engine.outcome.disposition not in ("wrong_number", "third_party")
    assert "3500" not in replies[-1].text


def test_a_confident_nlu_does_not_call_the_responder() -> None:
    responder = FakeResponder(intent=Intent.STOP_CONTACT)
    engine, _ = _with_responder(responder, ["confirm_identity"], BY_INTENT)
    assert responder.asked == []
    assert engine.outcome.stop is None


def test_free_form_answers_only_to_the_verified_debtor_and_through_the_guard() -> None:
    stub = Stub(
        {
            "me": said(Intent.CONFIRM_IDENTITY),
            "q": said(Intent.ASK_DETAILS),
            "huh": said(Intent.OTHER, confidence=0.9),
        }
    )
    responder = FakeResponder(answer="这笔借款可以在App里查看明细。")
    engine, replies = _with_responder(responder, ["me", "q", "huh"], stub)
    assert replies[2].node == "details"
    assert replies[3].text.startswith("这笔借款可以在App里查看明细。")
    assert "name" not in responder.questions[0][1]
    bad = FakeResponder(answer="不还钱就去你单位找你领导。")
    engine, replies = _with_responder(bad, ["me", "q", "huh"], stub)
    assert "单位" not in replies[3].text
    assert engine.guard_hits
    none = FakeResponder(answer=None)
    _, replies = _with_responder(none, ["me", "q", "huh"], stub)
    assert not replies[3].end  # the script's reprompt


def test_a_question_in_a_free_form_node_goes_to_the_responder_first() -> None:
    stub = Stub({"me": said(Intent.CONFIRM_IDENTITY), "q": said(Intent.ASK_DETAILS)})
    responder = FakeResponder(answer="到期日是2月18日。")
    _, replies = _with_responder(responder, ["me", "q", "q"], stub)
    assert replies[2].node == "details"  # greet is not free_form: the script answers
    assert replies[3].text.startswith("到期日是2月18日。")
    assert len(responder.questions) == 1


def test_the_responder_is_not_asked_for_free_answers_before_identity() -> None:
    stub = Stub({"q": said(Intent.ASK_DETAILS, confidence=0.9)})
    responder = FakeResponder(answer="您欠款3500元。")
    _, replies = _with_responder(responder, ["q"], stub)
    assert responder.questions == []
    assert not discloses(replies[1].text, "zh-CN")
