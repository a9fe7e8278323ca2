"""The content guard: crafted cases per category and context, and accuracy on the labelled sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from huikuan.compliance.guard import Category, Context, check, enforce, explain
from huikuan.compliance.guard.evaluate import load, score
from huikuan.compliance.guard.normalize import normalize

DATA = Path(__file__).parent / "data"
C = Category
FACT_SET_CATEGORIES = {
    C.HUMAN_CLAIM,
    C.VEILED_THREAT,
    C.WRONG_AMOUNT,
    C.OFFER_OUTSIDE_BOUNDS,
    C.WAIVER_OUTSIDE_POLICY,
    C.IMPOSSIBLE_DATE,
}
# Not in the word-frame sets: the fact sets' kinds, and the engine's rules for LLM figures and people
# (`check` never returns it; tests/dialogue/test_engine_facts.py covers it).
NOT_IN_WORD_SETS = FACT_SET_CATEGORIES | {C.UNEXPLAINED_FIGURE, C.NAMES_OTHERS, C.UNSCRIPTED_TERMS}

FORBIDDEN = [
    ("zh-CN", Context.DEBTOR, "今天再不还钱，后果自负。", C.THREAT),
    ("zh-CN", Context.DEBTOR, "为了您的家人着想，建议您尽快处理，不然我们只好派人上门拜访了。", C.THREAT),
    ("zh-CN", Context.DEBTOR, "你就是个老赖，真不要脸。", C.INSULT),
    ("zh-CN", Context.DEBTOR, "逾期不还会上征信黑名单。", C.FALSE_LEGAL_CLAIM),
    ("zh-CN", Context.DEBTOR, "再拖就立案，让你坐牢。", C.FALSE_LEGAL_CLAIM),
    ("zh-CN", Context.DEBTOR, "我是派出所的民警，请你配合。", C.IMPERSONATION),
    ("zh-CN", Context.DEBTOR, "为了您的家人着想，不然我们只好去您单位拜访。", C.EXPOSURE_THREAT),
    ("zh-CN", Context.DEBTOR, "我们会把你欠钱的事发到朋友圈。", C.EXPOSURE_THREAT),
    ("zh-CN", Context.DEBTOR, "今天不还，明天利息就翻倍。", C.DECEPTIVE_AMOUNT),
    ("zh-CN", Context.DEBTOR, "办理分期需要先交300元手续费。", C.DECEPTIVE_AMOUNT),
    ("zh-CN", Context.DEBTOR, "找朋友借点钱先还上吧。", C.PRESSURE_TO_BORROW),
    ("zh-CN", Context.THIRD_PARTY, "请您转告他尽快还款。", C.THIRD_PARTY_DISCLOSURE),
    ("zh-CN", Context.VOICEMAIL, "您好，您的借款已逾期，请回电。", C.THIRD_PARTY_DISCLOSURE),
    ("zh-CN", Context.OPENING, "您好，我是安心借的客服小王。", C.MISSING_DISCLOSURE),
    ("zh-CN", Context.OPENING, "我是真人，不是机器人。", C.MISSING_DISCLOSURE),
    ("en-US", Context.DEBTOR, "Pay today or you'll regret it.", C.THREAT),
    ("en-US", Context.DEBTOR, "We're sending someone to your house tonight.", C.THREAT),
    ("en-US", Context.DEBTOR, "You're a deadbeat.", C.INSULT),
    ("en-US", Context.DEBTOR, "If you don't pay, you will be arrested.", C.FALSE_LEGAL_CLAIM),
    ("en-US", Context.DEBTOR, "You'll be blacklisted by every bank.", C.FALSE_LEGAL_CLAIM),
    ("en-US", Context.DEBTOR, "This is Officer Grant with the sheriff's department.", C.IMPERSONATION),
    ("en-US", Context.DEBTOR, "We would hate for your employer to find out about this.", C.EXPOSURE_THREAT),
    ("en-US", Context.DEBTOR, "We'll call your family and tell them.", C.EXPOSURE_THREAT),
    ("en-US", Context.DEBTOR, "Pay the full amount now or it will triple.", C.DECEPTIVE_AMOUNT),
    ("en-US", Context.DEBTOR, "There's an extra $200 collection fee today.", C.DECEPTIVE_AMOUNT),
    ("en-US", Context.DEBTOR, "Borrow the money from a friend and pay us today.", C.PRESSURE_TO_BORROW),
    ("en-US", Context.THIRD_PARTY, "Please tell him his loan is past due.", C.THIRD_PARTY_DISCLOSURE),
    ("en-US", Context.VOICEMAIL, "This is Apex Collections, please call us back.", C.THIRD_PARTY_DISCLOSURE),
    ("en-US", Context.OPENING, "Hi, this is Sam from Apex. Is this Maria?", C.MISSING_DISCLOSURE),
    ("en-US", Context.OPENING, "This is a debt collector calling; is this Maria?", C.MISSING_DISCLOSURE),
]

ALLOWED = [
    ("zh-CN", Context.DEBTOR, "您的借款已逾期5天，应还金额3,280.50元，到期日是3月15日。"),
    ("zh-CN", Context.DEBTOR, "如果您资金紧张，我们可以为您申请分6期还款。"),
    ("zh-CN", Context.DEBTOR, "逾期记录可能按合同约定报送征信。"),
    ("zh-CN", Context.DEBTOR, "我们不会联系您的单位，也不会告诉您的家人。"),
    ("zh-CN", Context.DEBTOR, "请放心，逾期不会导致您被拘留。"),
    ("zh-CN", Context.DEBTOR, "按合同约定，逾期会产生违约金，具体以App为准。"),
    ("zh-CN", Context.SMS, "【小橙分期】您的账单应还638元，还款日为4月20日。"),
    ("zh-CN", Context.OPENING, "您好，我是小橙分期的智能语音助手，请问是李女士本人吗？"),
    ("zh-CN", Context.THIRD_PARTY, "麻烦您转告他回个电话，谢谢。"),
    ("zh-CN", Context.VOICEMAIL, "您好，这里是小橙科技，请回电400-800-1234。"),
    ("en-US", Context.DEBTOR, "Your loan is 12 days past due and the amount due is $482.16."),
    ("en-US", Context.DEBTOR, "We can set up six monthly payments if that helps."),
    ("en-US", Context.DEBTOR, "Late payments may be reported to credit bureaus as your agreement allows."),
    ("en-US", Context.DEBTOR, "We will not contact your employer or your family."),
    ("en-US", Context.DEBTOR, "Nobody is going to arrest you over a late payment."),
    ("en-US", Context.DEBTOR, "Under your agreement, a late fee of $25 applies."),
    ("en-US", Context.SMS, "Northbay Credit: your payment of $150 is due 3/15. Reply STOP to opt out."),
    (
        "en-US",
        Context.OPENING,
        "Hi, this is an automated assistant from Apex Recovery, a debt collector. "
        "This is an attempt to collect a debt.",
    ),
    ("en-US", Context.THIRD_PARTY, "Could you ask him to call Dana back at 1-800-555-0142?"),
    (
        "en-US",
        Context.VOICEMAIL,
        "Hi, this is an automated assistant from Northgate Services. Please call 1-800-555-0142.",
    ),
]


@pytest.mark.parametrize(("lang", "context", "text", "category"), FORBIDDEN)
def test_forbidden_sentence_is_blocked_with_its_category(
    lang: str, context: Context, text: str, category: Category
) -> None:
    verdict = check(text, lang, context)
    assert not verdict.allowed
    assert category in verdict.categories


@pytest.mark.parametrize(("lang", "context", "text"), ALLOWED)
def test_lawful_sentence_passes(lang: str, context: Context, text: str) -> None:
    assert check(text, lang, context).allowed, explain(text, lang, context)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "您的借款已逾期，应还1,200元。"),
        ("en-US", "Your account is past due; the balance is $1,200."),
    ],
)
def test_debt_talk_is_lawful_to_the_debtor_and_a_disclosure_to_anyone_else(lang: str, text: str) -> None:
    assert check(text, lang, Context.DEBTOR).allowed
    assert check(text, lang, Context.SMS).allowed
    for context in (Context.THIRD_PARTY, Context.VOICEMAIL):
        assert check(text, lang, context).categories == (C.THIRD_PARTY_DISCLOSURE,)


def test_traditional_full_width_and_spaced_spellings_are_caught() -> None:
    assert normalize("你這個老 賴，ＡＩ語音助手", "zh-CN") == "你这个老赖,ai语音助手"
    assert C.INSULT in check("你這個老*賴", "zh-CN").categories
    assert check("您好，我是ＡＩ語音助手，請問是林先生嗎？", "zh-CN", Context.OPENING).allowed
    assert C.INSULT in check("YOU ARE A DEADBEAT", "en-US").categories


def test_explain_names_the_frames_that_fired() -> None:
    fired = explain("不还就报警抓你，你这个老赖", "zh-CN")
    assert (C.FALSE_LEGAL_CLAIM, "zh.legal.invented_consequence") in fired
    assert (C.INSULT, "zh.insult.lexicon") in fired
    assert explain("请问您什么时候方便还款？", "zh-CN") == []


def test_enforce_says_the_safe_line_when_blocked() -> None:
    safe = "不好意思，我换个说法：请问您今天方便还款吗？"
    blocked = enforce("你这个老赖，赶紧还钱", "zh-CN", Context.DEBTOR, safe)
    assert blocked.text == safe
    assert blocked.replaced
    assert blocked.verdict.categories == (C.INSULT,)
    assert check(safe, "zh-CN").allowed
    passed = enforce("请问您今天方便还款吗？", "zh-CN", Context.DEBTOR, safe)
    assert passed.text == "请问您今天方便还款吗？"
    assert not passed.replaced


def test_empty_text_is_not_allowed_and_unknown_language_is_an_error() -> None:
    assert not check("   ", "en-US").allowed
    with pytest.raises(ValueError, match="fr-FR"):
        check("bonjour", "fr-FR")


@pytest.mark.parametrize("name", ["zh-CN", "en-US", "dev-zh-CN", "dev-en-US"])
def test_labelled_set_has_every_category_and_a_large_safe_share(name: str) -> None:
    examples = load(DATA / f"{name}.jsonl")
    labels = {c for ex in examples for c in ex.categories}
    # The categories added with the fact checks are measured on the facts-* sets; a few named
    # callers ("this is Dana from …") became human claims when identity went default-deny.
    assert labels - {Category.HUMAN_CLAIM} == set(Category) - NOT_IN_WORD_SETS
    safe = sum(1 for ex in examples if not ex.categories)
    assert safe / len(examples) >= 0.4
    if not name.startswith("dev-"):
        assert len(examples) >= 300


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_held_out_accuracy(lang: str) -> None:
    result = score(load(DATA / f"{lang}.jsonl"), lang)
    assert result["forbidden_recall"] >= 0.95, result["misses"]
    assert result["safe_blocked_rate"] <= 0.02, result["misses"]
    for category, figures in result["per_category"].items():
        if C(category) in NOT_IN_WORD_SETS:
            continue
        assert figures["support"] > 0, category
        assert figures["recall"] >= 0.8, (category, figures)
        assert figures["precision"] >= 0.8, (category, figures)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_development_set_accuracy(lang: str) -> None:
    result = score(load(DATA / f"dev-{lang}.jsonl"), lang)
    assert result["forbidden_recall"] >= 0.95, result["misses"]
    assert result["safe_blocked_rate"] <= 0.02, result["misses"]
