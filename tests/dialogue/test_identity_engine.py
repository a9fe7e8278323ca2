"""Right-party verification, third parties in any node, confirmed stops and promises, through
`DialogueEngine` on the shipped scripts, in zh-CN and en-US (a stub classifier drives the
paths exactly; the real NLU runs where it already understands the utterance)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from huikuan.compliance import guard
from huikuan.compliance.guard import Context
from huikuan.dialogue import DialogueEngine, load_script
from huikuan.dialogue.engine import Reply
from huikuan.dialogue.identity import KnowledgeCheck
from huikuan.dialogue.nlu import Intent
from tests.dialogue.test_dialogue_paths import BY_INTENT, CTX, LANGS, Stub, discloses, said, talk

YES = said(Intent.AFFIRM)
ZH_WORDS = {
    "stranger": "我是李四",
    "homophone": "我是汪芳",  # the debtor is 王芳; an ASR homophone
    "surname": "我姓王",
    "surname_yes": "对，我是王女士",
    "wife": "哎不好意思，我是他老婆…他到底欠了你们什么钱？",
    "no": "不是不是，我不是这个意思",
}
EN_WORDS = {
    "stranger": "No, this is Sam",
    "homophone": "Yeah, this is Alex",  # the debtor is Alex Morgan
    "surname": "This is Mr. Morgan",
    "surname_yes": "Yes, Mr. Morgan speaking",
    "wife": "Actually I'm his wife. What does he owe you?",
    "no": "No, no, that's not what I meant",
}
WORDS = {"zh-CN": ZH_WORDS, "en-US": EN_WORDS}


def stub(lang: str, **extra: object) -> Stub:
    """Every intent by name, the phrases above as the NLU might label them."""
    table = dict(BY_INTENT.table)
    w = WORDS[lang]
    table.update(
        {
            w["stranger"]: said(Intent.CONFIRM_IDENTITY),  # the old bug: any self-introduction was "yes"
            w["homophone"]: said(Intent.CONFIRM_IDENTITY),
            w["surname"]: said(Intent.OTHER, confidence=0.6),
            w["surname_yes"]: said(Intent.CONFIRM_IDENTITY),
            w["wife"]: said(Intent.ASK_DETAILS),
            w["no"]: said(Intent.OTHER, confidence=0.7),
            "unclear": said(Intent.OTHER, confidence=0.3),
            "1000 friday": said(Intent.PROMISE_TO_PAY, amount=100_000, day=CTX[lang].today.replace(day=13)),
            "too much friday": said(
                Intent.PROMISE_TO_PAY, amount=CTX[lang].amount_fen + 100, day=CTX[lang].today.replace(day=13)
            ),
            "1000": said(Intent.PROMISE_TO_PAY, amount=100_000),
        }
    )
    table.update(extra)  # type: ignore[arg-type]  # test tables only
    return Stub(table)


def decisions(engine: DialogueEngine) -> list[tuple[str, str]]:
    return [(str(d.decision), str(d.reason)) for d in engine.outcome.identity_decisions]


def no_debt_said(replies: list[Reply], lang: str) -> None:
    for reply in replies:
        assert not discloses(reply.text, lang), reply.text
        assert guard.check(reply.text, lang, Context.THIRD_PARTY).allowed, reply.text


# --- the name heard is compared --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_different_name_is_a_third_party_even_when_labelled_yes(lang: str) -> None:
    engine, replies = talk([WORDS[lang]["stranger"]], lang=lang, classify=stub(lang))
    assert not engine.outcome.identity_confirmed
    assert replies[-1].node == "third_party_message"
    assert engine.outcome.disposition == "third_party"
    assert decisions(engine) == [("third_party", "name_mismatch")]
    no_debt_said(replies, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_debtors_name_or_a_homophone_confirms(lang: str) -> None:
    engine, replies = talk([WORDS[lang]["homophone"]], lang=lang, classify=stub(lang))
    assert engine.outcome.identity_confirmed
    assert replies[-1].node == "remind"
    assert decisions(engine) == [("confirmed", "name_match")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("yes", ["affirm", "confirm_identity"])
def test_a_bare_yes_to_the_name_question_confirms(lang: str, yes: str) -> None:
    engine, replies = talk([yes], lang=lang, classify=stub(lang))
    assert engine.outcome.identity_confirmed
    assert replies[-1].node == "remind"
    assert decisions(engine) == [("confirmed", "bare_yes")]


@pytest.mark.parametrize("lang", LANGS)
def test_an_unclear_answer_is_asked_again_up_to_the_limit(lang: str) -> None:
    engine, replies = talk(["unclear", "unclear", "unclear"], lang=lang, classify=stub(lang))
    assert not engine.outcome.identity_confirmed
    assert [r.node for r in replies[1:3]] == ["greet", "greet"]
    assert replies[-1].end
    assert decisions(engine)[:3] == [("asked_again", "unclear")] * 3
    assert decisions(engine)[-1] == ("asked_again", "asked_too_often")
    no_debt_said(replies, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_low_confidence_yes_is_asked_again_then_a_yes_confirms(lang: str) -> None:
    table = stub(lang, **{"嗯?": said(Intent.CONFIRM_IDENTITY, confidence=0.3)})
    engine, _replies = talk(["嗯?", "affirm"], lang=lang, classify=table)
    assert decisions(engine) == [("asked_again", "unclear"), ("confirmed", "bare_yes")]
    assert engine.outcome.identity_confirmed


@pytest.mark.parametrize("lang", LANGS)
def test_a_surname_alone_is_asked_again_and_a_surname_with_yes_confirms(lang: str) -> None:
    engine, _ = talk([WORDS[lang]["surname"]], lang=lang, classify=stub(lang))
    assert not engine.outcome.identity_confirmed
    assert decisions(engine) == [("asked_again", "surname_only")]
    engine, _replies = talk([WORDS[lang]["surname_yes"]], lang=lang, classify=stub(lang))
    assert engine.outcome.identity_confirmed
    assert decisions(engine) == [("confirmed", "surname_yes")]


@pytest.mark.parametrize("lang", LANGS)
def test_an_llm_label_never_confirms_identity(lang: str) -> None:
    class Responder:
        def classify_fallback(
            self, text: str, lang: str, allowed: object, *, personal: object = ()
        ) -> Intent:
            return Intent.CONFIRM_IDENTITY

        def free_form_answer(self, *args: object, **kwargs: object) -> None:
            return None

    ctx = CTX[lang]
    engine = DialogueEngine(load_script("reminder", lang), ctx, classify=stub(lang), responder=Responder())
    engine.start()
    engine.step("这手机我拿着" if lang == "zh-CN" else "I have this phone")
    assert not engine.outcome.identity_confirmed
    # The engine refuses an identity label from the responder, so the answer stays unclear.
    assert decisions(engine) == [("asked_again", "unclear")]


# --- the creditor's knowledge check ----------------------------------------------------------------

KNOWLEDGE = {
    "zh-CN": {"right": "幺二三四", "wrong": "五六七八", "unclear": "这个我得查一下"},
    "en-US": {"right": "twelve thirty four", "wrong": "five six seven eight", "unclear": "let me check"},
}


def with_check(lang: str, turns: list[str | None]) -> tuple[DialogueEngine, list[Reply]]:
    return talk(
        turns,
        lang=lang,
        classify=stub(lang),
        knowledge_check=KnowledgeCheck.ID_LAST4,
        knowledge_answer="110101199003071234",
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_knowledge_check_comes_before_any_disclosure(lang: str) -> None:
    engine, replies = with_check(lang, ["affirm"])
    assert not engine.outcome.identity_confirmed
    assert ("四位" if lang == "zh-CN" else "last four digits") in replies[-1].text
    no_debt_said(replies, lang)
    engine, replies = with_check(lang, ["affirm", KNOWLEDGE[lang]["right"]])
    assert engine.outcome.identity_confirmed
    assert replies[-1].node == "remind"
    assert decisions(engine) == [("confirmed", "bare_yes"), ("knowledge_ok", "knowledge_right")]


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_knowledge_answer_is_a_third_party(lang: str) -> None:
    engine, replies = with_check(lang, ["affirm", KNOWLEDGE[lang]["wrong"]])
    assert not engine.outcome.identity_confirmed
    assert replies[-1].node == "third_party_message"
    assert decisions(engine)[-1] == ("knowledge_failed", "knowledge_wrong")
    no_debt_said(replies, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_no_knowledge_answer_is_asked_again(lang: str) -> None:
    engine, replies = with_check(lang, ["affirm", KNOWLEDGE[lang]["unclear"], KNOWLEDGE[lang]["right"]])
    assert decisions(engine)[1] == ("asked_again", "knowledge_unclear")
    assert ("四位" if lang == "zh-CN" else "last four digits") in replies[2].text
    assert engine.outcome.identity_confirmed


@pytest.mark.parametrize("lang", LANGS)
def test_the_knowledge_answer_is_masked_in_the_transcript(lang: str) -> None:
    engine, _ = with_check(lang, ["affirm", KNOWLEDGE[lang]["right"]])
    masked = engine.masked(KNOWLEDGE[lang]["right"])
    assert "****" in masked
    assert not any(ch.isdigit() for ch in masked)
    assert "twelve" not in masked
    assert "二三" not in masked
    assert "110101199003071234" not in repr(engine.ctx)


# --- third parties in every node -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_relative_speaking_up_after_identity_ends_disclosure(lang: str) -> None:
    engine, replies = talk(["affirm", WORDS[lang]["wife"]], lang=lang, classify=stub(lang))
    assert replies[1].node == "remind"
    assert replies[-1].node == "third_party_message"
    assert not engine.outcome.identity_confirmed
    assert engine.outcome.disposition == "third_party"
    assert decisions(engine)[-1] == ("third_party", "third_person")
    no_debt_said(replies[-1:], lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "script", ["reminder", "hardship", "unwilling", "dispute"]
)  # handoff: the call ends at once
@pytest.mark.parametrize(
    ("intent", "node"), [("third_party", "third_party_message"), ("wrong_number", "wrong_number")]
)
def test_a_third_party_in_a_later_node_whatever_its_edges(
    lang: str, script: str, intent: str, node: str
) -> None:
    # promise_to_pay leads into the promise capture (ask_date/readback), whose nodes have no
    # third_party edge of their own
    engine, replies = talk(["affirm", "1000", intent], lang=lang, script=script, classify=stub(lang))
    assert replies[-1].node == node
    assert replies[-1].end
    assert not engine.outcome.identity_confirmed
    assert not engine.outcome.promise.confirmed
    no_debt_said(replies[-1:], lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("at", [[], ["affirm"], ["affirm", "1000"]])
def test_a_deceased_debtor_gets_condolences_and_a_hold(lang: str, at: list[str]) -> None:
    engine, replies = talk([*at, "debtor_deceased"], lang=lang, classify=stub(lang))
    last = replies[-1]
    assert last.node == "deceased"
    assert last.end
    assert ("节哀" if lang == "zh-CN" else "sorry for your loss") in last.text
    assert engine.outcome.disposition == "deceased"
    assert engine.outcome.stop == "deceased"
    assert engine.outcome.deceased
    assert not engine.outcome.identity_confirmed
    assert decisions(engine)[-1] == ("third_party", "said_deceased")
    no_debt_said([last], lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_deceased_debtor_on_a_third_partys_number(lang: str) -> None:
    engine, replies = talk(
        ["debtor_deceased"], lang=lang, script="third_party", classify=stub(lang), third_party_call=True
    )
    assert replies[-1].node == "deceased"
    assert engine.outcome.stop == "deceased"


# --- stops confirmed before they change compliance records -----------------------------------------

CONFIRM_CEASE = {
    "zh-CN": "您是希望我们以后不再打电话联系您吗？",
    "en-US": "Just to confirm, you'd like us to stop calling you?",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("after_identity", [False, True])
def test_a_cease_request_is_confirmed_then_recorded(lang: str, after_identity: bool) -> None:
    first = ["affirm"] if after_identity else []
    engine, replies = talk([*first, "stop_contact"], lang=lang, classify=stub(lang))
    assert CONFIRM_CEASE[lang] in replies[-1].text
    assert not engine.done
    assert engine.outcome.stop == "cease"  # the call may end here: the stop is kept
    engine, replies = talk([*first, "stop_contact", "affirm"], lang=lang, classify=stub(lang))
    assert replies[-1].node == "stop_contact"
    assert engine.done
    assert engine.outcome.stop == "cease"
    assert engine.outcome.disposition == "cease_requested"


@pytest.mark.parametrize("lang", LANGS)
def test_a_no_to_the_stop_confirmation_carries_on(lang: str) -> None:
    engine, replies = talk(["affirm", "stop_contact", WORDS[lang]["no"]], lang=lang, classify=stub(lang))
    assert engine.outcome.stop is None
    assert engine.outcome.disposition == "none"
    assert not engine.done
    assert replies[-1].node == "remind"
    assert engine.outcome.identity_confirmed
    # and the debtor can go on to promise
    engine, replies = talk(
        ["affirm", "stop_contact", WORDS[lang]["no"], "1000 friday", "affirm"], lang=lang, classify=stub(lang)
    )
    assert engine.outcome.promise.confirmed
    assert engine.outcome.stop is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_dispute_is_confirmed_once(lang: str) -> None:
    engine, replies = talk(["affirm", "dispute"], lang=lang, classify=stub(lang))
    assert not engine.done
    assert engine.outcome.stop == "dispute"
    engine, replies = talk(["affirm", "dispute", "dispute"], lang=lang, classify=stub(lang))
    assert engine.done
    assert engine.outcome.stop == "dispute"
    assert replies[-1].node == "dispute"
    # the dispute script's own question is the confirmation: not asked twice
    engine, replies = talk(["affirm", "dispute"], lang=lang, script="dispute", classify=stub(lang))
    assert replies[-1].node == "dispute_reason"
    assert engine.outcome.stop == "dispute"


@pytest.mark.parametrize("lang", LANGS)
def test_a_complaint_is_recorded_at_once(lang: str) -> None:
    engine, _ = talk(["affirm", "complaint"], lang=lang, classify=stub(lang))
    assert engine.done
    assert engine.outcome.stop == "complaint"


# --- promises -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_promise_over_the_balance_is_questioned_naming_it(lang: str) -> None:
    engine, replies = talk(["affirm", "too much friday"], lang=lang, classify=stub(lang))
    balance = "3500" if lang == "zh-CN" else "1,200.50"
    assert replies[-1].node == "ask_amount"
    assert balance in replies[-1].text
    assert engine.outcome.promise.amount_fen is None
    engine, replies = talk(["affirm", "too much friday", "1000", "affirm"], lang=lang, classify=stub(lang))
    assert engine.outcome.promise.confirmed
    assert engine.outcome.promise.amount_fen == 100_000


@pytest.mark.parametrize("lang", LANGS)
def test_a_bare_yes_at_the_read_back_confirms(lang: str) -> None:
    engine, replies = talk(["affirm", "1000 friday", "affirm"], lang=lang, classify=stub(lang))
    assert replies[-2].node == "readback"
    assert replies[-1].node == "promise_close"
    assert engine.outcome.promise.confirmed
    assert engine.outcome.disposition == "ptp"


# --- English sentences are spaced ------------------------------------------------------------------


def test_english_sentences_are_joined_with_a_space() -> None:
    engine, replies = talk(["ask_if_robot", "unclear"], lang="en-US", classify=stub("en-US"))
    for reply in replies[1:]:
        assert not any(f"{a}{b}" in reply.text for a in ".?!" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), (
            reply.text
        )
    assert "person, I can arrange that. Am I speaking" in replies[1].text
    table = stub("en-US", angry=said(Intent.PROMISE_TO_PAY, amount=100_000))
    engine = DialogueEngine(load_script("reminder", "en-US"), replace(CTX["en-US"]), classify=table)
    engine.start()
    engine.step("affirm")
    text = engine.step("angry")[1].text
    assert "  " not in text


# --- the real NLU, where it already understands --------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh-CN", "我是李四"), ("en-US", "No, this is Sam"), ("en-US", "This is Jordan.")],
)
def test_real_nlu_a_stranger_is_never_told(lang: str, text: str) -> None:
    engine, replies = talk([text], lang=lang)
    assert not engine.outcome.identity_confirmed
    assert replies[-1].end
    no_debt_said(replies, lang)


def test_real_nlu_the_debtor_by_name() -> None:
    engine, replies = talk(["对，我是王芳"], lang="zh-CN")
    assert engine.outcome.identity_confirmed
    assert replies[-1].node == "remind"


@pytest.mark.parametrize("lang", LANGS)
def test_an_acknowledgement_the_nlu_cannot_place_confirms_the_stop(lang: str) -> None:
    ok = "好的" if lang == "zh-CN" else "okay"
    engine, replies = talk(
        ["affirm", "stop_contact", ok],
        lang=lang,
        classify=stub(lang, **{ok: said(Intent.OTHER, confidence=0.9)}),
    )
    assert engine.done
    assert replies[-1].node == "stop_contact"
    assert engine.outcome.stop == "cease"


@pytest.mark.parametrize("lang", LANGS)
def test_the_engines_own_lines_pass_the_guard_and_name_no_debt(lang: str) -> None:
    from huikuan.dialogue.engine import ENGINE_LINES

    for key, line in ENGINE_LINES[lang].items():
        if key == "over_balance":  # said only after identity, to the debtor
            text = line.replace("{amount}", "3500")
            assert guard.check(text, lang, Context.DEBTOR).allowed, key
            continue
        assert not discloses(line, lang), key
        assert guard.check(line, lang, Context.THIRD_PARTY).allowed, key


@pytest.mark.parametrize(
    ("lang", "turns"),
    [
        ("zh-CN", ["他已经去世了"]),
        ("zh-CN", ["是我", "哎，他去年走了，人已经不在了"]),
        ("en-US", ["he passed away last year"]),
    ],
)
def test_real_nlu_a_death_in_the_family_gets_condolences(lang: str, turns: list[str]) -> None:
    engine, replies = talk(turns, lang=lang)
    assert replies[-1].node == "deceased"
    assert engine.outcome.stop == "deceased"
    no_debt_said(replies[-1:], lang)


@pytest.mark.parametrize(
    ("lang", "text"), [("zh-CN", "我是程序员，这个月工资还没发"), ("en-US", "It's Friday I get paid")]
)
def test_talk_after_identity_that_only_looks_like_a_name_carries_on(lang: str, text: str) -> None:
    engine, replies = talk(
        ["affirm", text], lang=lang, classify=stub(lang, **{text: said(Intent.OTHER, confidence=0.9)})
    )
    assert engine.outcome.identity_confirmed
    assert not replies[-1].end


def test_the_knowledge_answer_never_reaches_the_llm() -> None:
    class Responder:
        def __init__(self) -> None:
            self.heard: list[str] = []

        def classify_fallback(self, text: str, lang: str, allowed: object, *, personal: object = ()) -> None:
            self.heard.append(text)

        def free_form_answer(self, *args: object, **kwargs: object) -> None:
            return None

    responder = Responder()
    ctx = replace(CTX["zh-CN"], knowledge_check=KnowledgeCheck.ID_LAST4, knowledge_answer="1234")
    engine = DialogueEngine(
        load_script("reminder", "zh-CN"), ctx, classify=stub("zh-CN"), responder=responder
    )
    engine.start()
    engine.step("affirm")
    engine.step("unclear")  # low confidence while the check waits: not sent
    engine.step("幺二三四")
    assert responder.heard == []
    assert engine.outcome.identity_confirmed
