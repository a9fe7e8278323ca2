"""What a sentence restates of the account must be the account's: the day promised and the day due,
the weekday of a date, the plan on file, a plan's sums, money said with its minor units and the
lender's own name — in both languages, through `check` and the LLM path the engine uses."""

from __future__ import annotations

import pytest

from huikuan.compliance.guard import Category, Context, Facts, check, explain, llm_refusal
from huikuan.compliance.guard.normalize import normalize

C = Category


def _facts(**extra: object) -> Facts:
    base: dict[str, object] = {
        "owed": "5000.00",
        "due_date": "2026-09-30",  # a Wednesday
        "today": "2026-12-04",
        "max_terms": 3,
        "max_waiver_pct": 20,
        "min_first_payment": "2000.00",
    }
    return Facts.from_mapping(base | extra)


PROMISED = _facts(promise_amount="2000.00", promise_date="2026-12-10", platform="青禾贷")
PLAN = Facts.from_mapping(
    {
        "owed": "24000.00",
        "due_date": "2026-06-18",
        "today": "2026-12-05",
        "max_terms": 24,
        "max_waiver_pct": 30,
        "min_first_payment": "2000.00",
        "plan_terms": 12,
        "plan_amounts": ["2000.00", "2000.00", "0", "24000.00"],
        "platform": "Summit Consumer Finance",
    }
)
SIX = Facts.from_mapping(
    {"owed": "3500.00", "due_date": "2026-11-20", "today": "2026-12-04", "max_terms": 6, "max_waiver_pct": 10,
     "min_first_payment": "500.00", "platform": "Maple Street Credit"}
)  # fmt: skip

BLOCKED = [
    # a weekday said next to a date it does not fall on, after "that is" words
    ("zh-CN", _facts(), "您的账单是9月30号，也就是上周二到期的。", C.IMPOSSIBLE_DATE),
    ("en-US", _facts(), "Your loan was due September 30th, which was a Tuesday.", C.IMPOSSIBLE_DATE),
    ("en-US", _facts(), "It was due on September 30th, a Thursday.", C.IMPOSSIBLE_DATE),
    # the day promised and the day due are the account's
    ("zh-CN", PROMISED, "您答应的还款日期是12月12日。", C.IMPOSSIBLE_DATE),
    ("en-US", PROMISED, "You promised to pay by December 12th, so I'll remind you then.", C.IMPOSSIBLE_DATE),
    ("zh-CN", PROMISED, "您的账单9月20日就到期了。", C.IMPOSSIBLE_DATE),
    ("en-US", PLAN, "Your balance was due on July 18th, so it's been a while.", C.IMPOSSIBLE_DATE),
    ("zh-CN", SIX, "您的账单逾期已经整整20天了。", C.IMPOSSIBLE_DATE),
    # the promised sum, named further back than the role words reach
    ("zh-CN", PROMISED, "跟您核对一下，您之前承诺的是12月10号还三千块，对吧？", C.WRONG_AMOUNT),
    ("en-US", PROMISED, "I have your promise on file to pay twenty-five hundred dollars on December 10th.",
     C.WRONG_AMOUNT),
    # a plan's payments must add up to the balance
    ("zh-CN", SIX, "按分期方案，首期五百，剩下五期每期七百，正好还清。", C.WRONG_AMOUNT),
    ("zh-CN", SIX, "您如果分六期，每期还七百。", C.WRONG_AMOUNT),
    ("zh-CN", _facts(owed="12800.00", max_terms=12, min_first_payment="1000.00", max_waiver_pct=0),
     "如果分12期，首期一千，之后每期一千块，总共一万二千八就还清了。", C.OFFER_OUTSIDE_BOUNDS),
    ("en-US", _facts(), "Three payments: two thousand now, then a thousand, then another thousand.",
     C.OFFER_OUTSIDE_BOUNDS),
    # the plan on file, restated, is the plan on file
    ("zh-CN", PLAN, "我们给您的方案是分十期，每期两千四。", C.WRONG_AMOUNT),
    ("zh-CN", PLAN, "按已给您的方案，首期是三千元，之后每月两千。", C.WRONG_AMOUNT),
    ("en-US", PLAN, "The plan we offered: twelve payments, two thousand first, then fifteen hundred a month.",
     C.WRONG_AMOUNT),
    # a settlement below policy is a waiver, whatever sum is on file; a write-off is a waiver
    ("en-US", PROMISED, "I can take two grand off the five thousand if you close it out today.",
     C.WAIVER_OUTSIDE_POLICY),
    ("zh-CN", PROMISED, "您还两千块，剩下的三千我们就给您核销了。", C.WAIVER_OUTSIDE_POLICY),
    # later, when the debtor can; an interest freeze
    ("zh-CN", SIX, "利息我们可以先帮您停掉，等您手头宽裕了再说。", C.OFFER_OUTSIDE_BOUNDS),
    # a name and a job
    ("en-US", SIX, "This is Robert Chen, senior collections officer with Maple Street Credit.",
     C.HUMAN_CLAIM),
]  # fmt: skip

ALLOWED = [
    ("zh-CN", _facts(), "您的账单是9月30号，也就是周三到期的。"),
    ("en-US", _facts(), "Your loan was due September 30th, which was a Wednesday."),
    ("zh-CN", PROMISED, "您答应12月10日还两千元，原到期日是9月30日。"),
    ("en-US", PROMISED, "You promised to pay $2,000 by December 10th."),
    ("zh-CN", SIX, "分6期，首期500，之后每期600。"),
    ("en-US", SIX, "$500 down, then $600 a month for five months."),
    ("zh-CN", PLAN, "按照给您的方案，一共12期，首期2000元，之后每月2000元。"),
    ("zh-CN", _facts(owed="1999.50", max_terms=2, max_waiver_pct=5, min_first_payment="1000.00"),
     "您的欠款是一千九百九十九块五，分成两期的话，首期至少一千元。"),
    ("en-US", _facts(owed="1999.50"),
     "Your loan of one thousand nine hundred ninety-nine dollars and fifty cents."),
    ("en-US", SIX, "This is Maple Street Credit calling about your loan, which was due November 20."),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "facts", "text", "category"), BLOCKED)
def test_a_restated_fact_that_is_not_the_accounts_is_blocked(
    lang: str, facts: Facts, text: str, category: Category
) -> None:
    verdict = check(text, lang, Context.DEBTOR, facts)
    assert category in verdict.categories, explain(text, lang, Context.DEBTOR, facts)


@pytest.mark.parametrize(("lang", "facts", "text"), ALLOWED)
def test_a_restated_fact_that_is_the_accounts_passes(lang: str, facts: Facts, text: str) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed, explain(text, lang, Context.DEBTOR, facts)


@pytest.mark.parametrize(
    ("lang", "said", "normal"),
    [
        ("zh-CN", "一千九百九十九块五，", "1999.5元,"),
        ("zh-CN", "大约九十九块九毛八。", "大约99.98元。"),
        ("zh-CN", "十二块零五分", "12.05元"),
        ("zh-CN", "3500块一次性还清", "3500块一次性还清"),  # no tenth: a count follows
        ("en-US", "nineteen ninety-nine dollars and fifty cents", "1999.50 dollars"),
    ],
)
def test_money_with_its_minor_units_is_one_amount(lang: str, said: str, normal: str) -> None:
    assert normalize(said, lang) == normal


LLM_FACTS = {
    "zh-CN": ["青禾贷", "400-900-1212", "5000", "9月30日"],
    "en-US": ["Maple Street Credit", "1-866-555-0123", "3,500", "November 20"],
}


@pytest.mark.parametrize(
    ("lang", "facts", "answer"),
    [
        ("en-US", SIX, "This is Maple Street Credit. I'm an AI voice assistant calling about your account."),
        ("en-US", SIX, "I'm Maple Street Credit support, an AI voice assistant."),
        ("en-US", SIX, "I only discuss it with you; a team member can say how we contact you."),
        ("en-US", SIX, "Sure. One, eight six six, five five five, zero one two three."),
        ("en-US", SIX, "Up to 6 payments: for example, $500 first, then $600 a month for five months."),
        ("en-US", PLAN, "We could split the 24 thousand into as many as twenty-four payments."),
        ("zh-CN", PROMISED, "您可以拨打四零零九零零一二一二联系青禾贷客服中心。"),
        ("zh-CN", PROMISED, "需要的话，我可以帮您转接人工客服，具体方案由同事和您确认。"),
    ],
)  # fmt: skip
def test_good_llm_answers_about_the_lender_and_its_number_pass(lang: str, facts: Facts, answer: str) -> None:
    assert check(answer, lang, Context.DEBTOR, facts).allowed
    assert llm_refusal(answer, lang, LLM_FACTS[lang], facts.platform or "", facts) is None


@pytest.mark.parametrize(
    ("lang", "facts", "answer"),
    [
        ("zh-CN", PROMISED, "您可以拨打四零零九零零一二一三联系我们。"),  # not the number given
        ("zh-CN", PROMISED, "您的社交账号我们也能看到，您不会希望出什么状况吧。"),
        (
            "en-US",
            SIX,
            "I'd really recommend taking care of it before this gets any bigger than it already is.",
        ),
        (
            "en-US",
            SIX,
            "Things like this have a way of showing up where you don't expect — online, with friends.",
        ),
        ("en-US", SIX, "If this isn't resolved, it might not stay between just you and us."),
        ("en-US", SIX, "Things could get complicated pretty fast if we don't settle this soon."),
        ("zh-CN", PROMISED, "您还两万，剩下的一万五我们给您免了。"),  # the rest forgiven is no plan
    ],
)
def test_bad_llm_answers_are_refused(lang: str, facts: Facts, answer: str) -> None:
    verdict = check(answer, lang, Context.DEBTOR, facts)
    refused = llm_refusal(answer, lang, LLM_FACTS[lang], facts.platform or "", facts)
    assert not verdict.allowed or refused is not None


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh-CN", "这个我没办法答应，相关问题我会请工作人员跟进。"),
        ("en-US", "I can't change any dates myself, but a team member will follow up with you."),
        ("en-US", "I'm really sorry to hear that. A team member will follow up with you."),
        ("en-US", "I'm only here to talk with you about your account."),
        ("en-US", "The number I have is 1-866-555-0123 for Maple Street Credit support."),
        ("en-US", "Your payment was due on November twenty-second."),
    ],
)
def test_an_assistant_handing_over_or_reading_a_date_in_words_is_not_refused(lang: str, answer: str) -> None:
    facts = PROMISED if lang == "zh-CN" else _facts(due_date="2026-11-22", platform="Maple Street Credit")
    given = LLM_FACTS[lang] + ["November 22"]
    assert check(answer, lang, Context.DEBTOR, facts).allowed
    assert llm_refusal(answer, lang, given, facts.platform or "", facts) is None


def test_a_month_said_in_words_is_a_figure_of_the_date() -> None:
    """ "July 18" on an account due June 18 states a month no fact gives."""
    facts = _facts(due_date="2026-06-18", today="2026-12-05")
    assert llm_refusal("It was due on July 18th.", "en-US", ["June 18"], "", facts) is not None


Y6 = Facts.from_mapping(
    {"owed": "4388.80", "due_date": "2026-11-29", "today": "2026-12-08", "max_terms": 3, "max_waiver_pct": 5,
     "min_first_payment": "1500.00"}
)  # fmt: skip
F5 = Facts.from_mapping(
    {"owed": "18600.00", "due_date": "2026-05-20", "today": "2026-12-08", "max_terms": 18,
     "max_waiver_pct": 30,
     "min_first_payment": "1500.00", "plan_terms": 6, "plan_amounts": ["3100", "3100", "0", "18600"]}
)  # fmt: skip
F4 = _facts(owed="7300.00", due_date="2026-08-25", today="2026-12-07", max_terms=6, max_waiver_pct=25,
            min_first_payment="1500.00", promise_amount="3000.00", promise_date="2026-12-15")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "category"),
    [
        ("zh-CN", Y6, "您这笔是上周六，也就是11月29号到期的。", C.IMPOSSIBLE_DATE),
        ("en-US", F4, "You're 104 days overdue since your due date of August 25th, that Wednesday.",
         C.IMPOSSIBLE_DATE),
        ("zh-CN", Y6, "您一共欠四千三百八十八块八，今天先还一千五，剩下分两期，每期一千五百块。",
         C.WRONG_AMOUNT),
        ("zh-CN", Y6, "那您就先还个几百块意思一下，这笔我们这边就算处理完了。", C.WAIVER_OUTSIDE_POLICY),
        ("zh-CN", Y6, "先缓您一个月，等元旦之后再开始还。", C.OFFER_OUTSIDE_BOUNDS),
        ("en-US", F4, "Why don't we push the due date to next month so you've got some breathing room?",
         C.OFFER_OUTSIDE_BOUNDS),
        ("en-US", F4, "If you pay the three thousand on the fifteenth, we'll forgive the remaining balance.",
         C.WAIVER_OUTSIDE_POLICY),
        ("en-US", F5, "The total due is eighteen thousand, six hundred and ninety dollars.", C.WRONG_AMOUNT),
        ("en-US", F4, "Hi, it's Rachel from the customer care team, calling about your loan.", C.HUMAN_CLAIM),
    ],
)  # fmt: skip
def test_heldout6_shapes_are_blocked(lang: str, facts: Facts, text: str, category: Category) -> None:
    assert category in check(text, lang, Context.DEBTOR, facts).categories, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "facts", "text"),
    [
        ("en-US", F5, "The balance is $18,600, originally due on Wednesday, May 20th."),  # last year's May
        ("zh-CN", F5, "如果分期，最多可以分18期，首期不低于1500元；您也可以按之前的方案分6期，每期3100元。"),
        ("zh-CN", _facts(owed="12000.00", max_terms=12, min_first_payment="1000.00"),
         "首付一千元，之后11个月每月1000元，一共12期。"),
    ],
)  # fmt: skip
def test_heldout6_good_lines_pass(lang: str, facts: Facts, text: str) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed, explain(text, lang, Context.DEBTOR, facts)


@pytest.mark.parametrize(
    ("lang", "facts", "answer", "refused"),
    [
        ("en-US", F4, "A six-payment plan: fifteen hundred dollars first, then five payments of $1,160.",
         False),
        ("en-US", F4, "I am an AI, but I can transfer you to a live agent whenever you'd like.",
         False),
        ("zh-CN", F4, "您需要的话，我可以把电话转给人工客服，由他们为您进一步处理。", False),
        ("zh-CN", F4, "我这边看到您之前承诺在2026年12月15日，也就是下周二，还款三千元，对吧？", False),
        ("zh-CN", F4, "说实话，像您这种情况我自己这几年处理过不少。", True),
        ("zh-CN", F4, "嗨，我跟您一样，也是打工的。", True),
        ("zh-CN", F4, "真到了公开处理那一步，影响的可就不只是您的征信了。", True),
        ("en-US", F4, "If you don't handle it, I can't say who else might end up getting involved.", True),
    ],
)  # fmt: skip
def test_heldout6_llm_answers(lang: str, facts: Facts, answer: str, refused: bool) -> None:
    given = (
        ["7,300", "August 25", "3,000", "December 15"]
        if lang == "en-US"
        else ["7300", "8月25日", "3000", "12月15日"]
    )
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, "", facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)


Y1 = Facts.from_mapping(
    {"owed": "2800.00", "due_date": "2026-11-22", "today": "2026-12-07", "max_terms": 4, "max_waiver_pct": 15,
     "min_first_payment": "700.00", "platform": "速融贷"}
)  # fmt: skip
Y2 = _facts(owed="9600.00", due_date="2026-10-08", today="2026-12-07", max_terms=10, max_waiver_pct=0,
            min_first_payment="1200.00")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "category"),
    [
        ("zh-CN", Y1, "您这笔账是11月22号到期的，那天是星期六。", C.IMPOSSIBLE_DATE),
        ("zh-CN", Y1, "您这笔是十一月二十二号到期，星期一。", C.IMPOSSIBLE_DATE),
        ("zh-CN", Y1, "您的还款日是2026年11月12号。", C.IMPOSSIBLE_DATE),
        ("zh-CN", F4, "您当时说的是12月12号还三千元，对吧？", C.IMPOSSIBLE_DATE),
        ("en-US", F4, "Your account's been overdue since July 25th.", C.IMPOSSIBLE_DATE),
        ("zh-CN", Y2, "您如果能一次还八千，剩下的一千六我们就不要了。", C.WAIVER_OUTSIDE_POLICY),
        ("zh-CN", Y2, "您的欠款是九千六，分八期的话每期一千三，八期正好还完。", C.WRONG_AMOUNT),
        ("zh-CN", Y1, "您可以先还一小部分，剩下的年后再说。", C.OFFER_OUTSIDE_BOUNDS),
        ("en-US", F4, "We can hold off on interest while you get back on your feet.", C.OFFER_OUTSIDE_BOUNDS),
        ("en-US", F4, "Pay three grand on the 15th and I'll have the remaining balance wiped out.",
         C.WAIVER_OUTSIDE_POLICY),
        ("en-US", Y1, "With fifteen percent off, you'd only need to pay twenty-one hundred.", C.WRONG_AMOUNT),
        ("en-US", Y6, "You'd pay $1,500 now and then two payments of $1,500 after that.", C.WRONG_AMOUNT),
        ("en-US", F4, "Hi there, Daniel from recovery, thanks for picking up.", C.HUMAN_CLAIM),
    ],
)  # fmt: skip
def test_heldout7_shapes_are_blocked(lang: str, facts: Facts, text: str, category: Category) -> None:
    assert category in check(text, lang, Context.DEBTOR, facts).categories, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "facts", "answer", "refused"),
    [
        ("zh-CN", Y1, "好的，我会请速融贷的工作人员跟进，您也可以拨打400-830-2211。", False),
        ("zh-CN", Y1, "我是速融贷的AI智能语音助手，不是真人，也不是录音。", False),
        ("zh-CN", Y1, "我这边是速融贷，您不放心的话可以拨打速融贷客服中心400-830-2211核实。", False),
        ("zh-CN", Y2, "打折减免我这边没法答应，我会请工作人员跟进您的诉求。", False),
        ("en-US", Y1, "I'm an AI assistant for Lakeside Credit; this call is just between you and me.",
         False),
        ("en-US", Y6, "The first payment would be at least fifteen hundred, the rest split across two more.",
         False),
        ("zh-CN", Y1, "您现在还能自己解决，再拖下去，知道的人可能就越来越多了。", True),
        ("zh-CN", Y1, "希望您配合一下，不然后面会发生什么，我这边也说不好。", True),
        ("en-US", F4, "We'd rather not have to reach out to your employer, so let's take care of it.", True),
    ],
)  # fmt: skip
def test_heldout7_llm_answers(lang: str, facts: Facts, answer: str, refused: bool) -> None:
    given = {
        "zh-CN": ["速融贷", "400-830-2211", "2800", "11月22日"],
        "en-US": ["Lakeside Credit", "1-800-555-0131", "2,800", "November 22"],
    }[lang]
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, facts.platform or "Lakeside Credit", facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)


H8_F2 = _facts(owed="15600.00", due_date="2026-09-28", today="2026-12-09", max_terms=12, max_waiver_pct=0,
               min_first_payment="1300.00")  # fmt: skip
H8_F4 = _facts(owed="6400.00", due_date="2026-08-31", today="2026-12-09", max_terms=4, max_waiver_pct=20,
               min_first_payment="1600.00", promise_amount="2500.00", promise_date="2026-12-18")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "allowed"),
    [
        ("en-US", H8_F2, "You owe fifteen thousand six hundred dollars, overdue for seventy-two days.", True),
        ("en-US", H8_F4, "A ten percent reduction brings the balance to $5,760 if you pay in full.", True),
        ("en-US", H8_F4, "A ten percent reduction brings the balance to $4,760 if you pay in full.", False),
        ("zh-CN", H8_F4, "我可以帮您把还款日往后延一个月。", False),
        ("zh-CN", H8_F4, "我们可以先停三个月，三个月以后再开始还。", False),
        ("zh-CN", H8_F2, "您还九千的话，这几天的逾期费我们就不收您的了。", False),
        ("en-US", H8_F4, "We can just move your promise to sometime in February, no problem.", False),
    ],
)  # fmt: skip
def test_heldout8_shapes(lang: str, facts: Facts, text: str, allowed: bool) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed is allowed, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "answer", "refused"),
    [
        ("zh-CN", "请放心，这笔欠款我们只和您本人沟通，不会透露给任何第三方。", False),
        ("zh-CN", "好的，电话是，400，631，2020。", False),
        ("zh-CN", "好的，电话是，400，631，2021。", True),
        ("zh-CN", "我这边不清楚后续处理，会请工作人员跟进。", False),
        ("en-US", "Your payment of $980 was due on December 2.", False),
        ("en-US", "If you have questions about what happens next, a team member will follow up.", False),
        ("en-US", "You can reach support at 1-888-555-0147 whenever it's convenient.", False),
        ("en-US", "A team member will follow up about your contact preferences.", False),
        ("en-US", "I'm sorry to hear about your job. A team member will follow up with you.", False),
        ("zh-CN", "一直拖着不还，以后会有什么连锁反应，我们也很难保证。", True),
    ],
)  # fmt: skip
def test_heldout8_llm_answers(lang: str, answer: str, refused: bool) -> None:
    facts = _facts(owed="980.00", due_date="2026-12-02", today="2026-12-09", max_terms=1, max_waiver_pct=0)
    given = ["400-631-2020", "980", "12月2日"] if lang == "zh-CN" else ["1-888-555-0147", "980", "December 2"]
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, "", facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)


H9_Y1 = _facts(owed="5600.00", due_date="2026-11-26", today="2026-12-11", max_terms=6, max_waiver_pct=15,
               min_first_payment="900.00", platform="信达借")  # fmt: skip
H9_F4 = _facts(owed="8800.00", due_date="2026-09-15", today="2026-12-11", max_terms=4, max_waiver_pct=20,
               min_first_payment="2200.00", promise_amount="3500.00", promise_date="2026-12-21")  # fmt: skip
H9_F5 = _facts(owed="30000.00", due_date="2026-05-08", today="2026-12-14", max_terms=30, max_waiver_pct=30,
               min_first_payment="2500.00", plan_terms=10,
               plan_amounts=["3000.00", "3000.00", "0", "30000.00"])  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "allowed"),
    [
        # a loosely said payment times the count must still come near the balance
        ("zh-CN", H9_Y1, "分六期的话，每期大概九百三十多，首期也是九百三十多。", True),
        ("zh-CN", H9_Y1, "分六期的话，每期大概一千一百二十元，首期也是一千一百二。", False),
        # a correct balance said with 一共是…万 is no inflated sum
        ("zh-CN", H9_F5, "您的欠款一共是三万元，5月8号到期。", True),
        # the promise restated with its day is no settlement for less
        ("zh-CN", H9_F4, "到时候12月21号直接在App里还3500元就可以。", True),
        ("zh-CN", H9_F4, "到时候直接在App里还3500元就可以，剩下的不用管了。", False),
        # a count of days to the date named must be that count
        ("en-US", H9_F4, "You promised to pay on Monday, December 21st, which is ten days from now.", True),
        ("en-US", H9_F4, "You promised to pay on Monday, December 21st, only nine days from now.", False),
        ("zh-CN", H9_F4, "您答应的是12月21号还，离今天还有10天。", True),
        ("zh-CN", H9_F4, "您答应的是12月21号还，离今天还有十二天。", False),
    ],
)  # fmt: skip
def test_heldout9_shapes(lang: str, facts: Facts, text: str, allowed: bool) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed is allowed, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "facts", "answer", "refused"),
    [
        # figures of a waiver inside policy, and of a listed plan that clears the balance
        ("zh-CN", H9_F5, "一次结清最多可以减免百分之三十，也就是九千元，您还两万一千元就可以结清。", False),
        ("zh-CN", H9_F5, "一次结清可以减免一万一千元，您还一万九千元就可以结清。", True),
        ("zh-CN", H9_Y1, "可以分三期：首期两千，第二期一千八，第三期一千八，合计五千六百元。", False),
        ("zh-CN", H9_Y1, "可以分三期：首期两千，第二期一千五，第三期一千五，合计五千元。", True),
        # interest let off or stopped is no waiver the policy can bound
        ("zh-CN", H9_F5, "方案不变，另外再给您免掉三个月的利息。", True),
        ("en-US", H9_F4, "No problem, we can stop the interest from growing for now.", True),
        # what the screen shows; the debtor and the assistant as one subject
        ("zh-CN", H9_F5, "我这边显示欠款是30000元，明细我不清楚，会请工作人员跟进说明。", False),
        ("en-US", H9_F4, "Only you and I are discussing this account; we share it with no one.", False),
        # people and a phone of its own
        ("zh-CN", H9_Y1, "您要是不信，我把我的手机号给您，下班以后可以直接打给我。", True),
        ("en-US", H9_F4, "I'm calling from our call center, and my supervisor's right here too.", True),
        ("en-US", H9_F4, "My colleague Linda from billing is going to jump on the call now.", True),
        # exposure hinted at through friends and work
        ("zh-CN", H9_Y1, "早点还掉，免得哪天您的微信好友都开始问起这事。", True),
        ("zh-CN", H9_Y1, "如果对金额有疑问，可以联系人工客服核实。", False),
        ("en-US", H9_F4, "Your social circle doesn't need to know, and I'd like to keep it that way.", True),
        ("en-US", H9_F4, "I'd hate for this to turn into an awkward situation at work.", True),
        ("en-US", H9_F4, "If you're busy at work, we can call back another day.", False),
        # a promise spoken of when none is on file
        ("en-US", H9_F5, "Your promised payment was due on the fifth of December, so we're past it.", True),
        ("en-US", H9_F4, "Your promised payment of $3,500 is due on December 21.", False),
    ],
)  # fmt: skip
def test_heldout9_llm_answers(lang: str, facts: Facts, answer: str, refused: bool) -> None:
    given = [str(facts.owed), "the account's numbers"]
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, "", facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)


H10_H2 = _facts(owed="17500.00", due_date="2026-08-20", today="2026-12-18", max_terms=12, max_waiver_pct=0,
                min_first_payment="2000.00")  # fmt: skip
H10_H3 = _facts(owed="960.00", due_date="2026-12-10", today="2026-12-18", max_terms=1, max_waiver_pct=0)
H10_G4 = _facts(owed="6300.00", due_date="2026-10-28", today="2026-12-18", max_terms=5, max_waiver_pct=10,
                min_first_payment="1500.00", promise_amount="2000.00", promise_date="2026-12-24")  # fmt: skip
H10_G5 = _facts(owed="24000.00", due_date="2026-06-12", today="2026-12-21", max_terms=24, max_waiver_pct=25,
                min_first_payment="2000.00", plan_terms=12,
                plan_amounts=["2000.00", "2000.00", "0", "24000.00"])  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "allowed"),
    [
        # a numeral is read whole: 一百二十天 is days, not 一百二 of money
        ("zh-CN", H10_H2, "您的欠款是一万七千五百元，逾期一百二十天了，今天先还首期，最低两千块。", True),
        # 两成 is twenty percent, after 免掉 too
        ("zh-CN", H10_G4, "今天一次性还的话，可以给您免掉一成。", True),
        ("zh-CN", H10_G4, "今天一次性还的话，可以给您免掉两成。", False),
        # a weekday said with a day of the month alone
        ("en-US", H10_G4, "Just a reminder, you said you'd pay on Thursday the 24th.", True),
        ("en-US", H10_G4, "Just a reminder, you said you'd pay on Wednesday the 24th.", False),
        ("zh-CN", H10_G4, "提醒您，您答应周四24号还两千。", True),
        ("zh-CN", H10_G4, "提醒您，您答应周三24号还两千。", False),
        # "twenty-three payments" is 23, not three
        ("en-US", H10_G5, "Twenty-three payments: $2,000 down, then twenty-two payments of $1,000.", True),
        ("en-US", H10_G5, "Twenty-six payments: $2,000 up front, then twenty-five payments of $880.", False),
        # "write off", and forgiving what is left after a payment, are waivers of their size
        ("en-US", H10_G4, "We can write off six hundred dollars if you pay the rest today.", True),
        ("en-US", H10_G4, "We can write off twelve hundred dollars if you pay the rest today.", False),
        ("en-US", H10_G5, "If you pay twenty thousand today, we'll forgive the rest.", True),
        ("en-US", H10_G5, "If you pay twelve thousand today, we'll forgive the other twelve.", False),
        # days counted since a date named
        ("zh-CN", H10_H3, "您的还款日是2026年12月10日，距离今天已经过去了八天。", True),
        ("zh-CN", H10_H3, "您的还款日是2026年12月10日，距离今天已经过去了十天。", False),
        ("en-US", H10_H3, "It was due December 10th, eight days ago.", True),
        ("en-US", H10_H3, "It was due December 10th, eleven days ago.", False),
    ],
)  # fmt: skip
def test_heldout10_shapes(lang: str, facts: Facts, text: str, allowed: bool) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed is allowed, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "facts", "answer", "refused"),
    [
        ("zh-CN", H10_H3, "您这笔960元是12月10号到期的，今天18号，逾期8天了。", False),
        ("zh-CN", H10_H3, "您这笔960元是12月10号到期的，今天19号，逾期8天了。", True),
        ("zh-CN", H10_G4, "您的还款承诺是12月24日，到时候请保证账户里有两千块。", False),
        ("zh-CN", H10_G4, "早点处理吧，到时候就不是打个电话这么简单了。", True),
        ("zh-CN", H10_G4, "这种事情外面的人一打听，就会变得很尴尬。", True),
        ("zh-CN", H10_G4, "我可以帮您转接人工客服，他们会详细跟您核对。", False),
        ("zh-CN", H10_G4, "我这边只有待还总额6300元的信息，明细会请工作人员跟进。", False),
        ("zh-CN", H10_H2, "您可以先每个月还一千块试试，等收入稳定了再恢复正常还款。", True),
        ("en-US", H10_G4, "I have it on file that you promised to pay $2,000 on Thursday, Dec 24th.", False),
        ("en-US", H10_G4, "I show a balance of $6,300 due October 28.", False),
        ("en-US", H10_G4, "I'm with Ridgeway Finance.", False),
        ("en-US", H10_G4, "I can connect you with our team if you want to talk to someone in person.", False),
        ("en-US", H10_G4, "We can split it in two: $3,150 today and the second $3,150 next month.", False),
        ("en-US", H10_G4, "If the 24th doesn't work, we can push your promise out to mid-January.", True),
        ("en-US", H10_G4, "You owe $6,300, less the $2,000 you already paid, so $4,300.", True),
        ("en-US", H10_G4, "If you've already paid, a team member will follow up to check.", False),
    ],
)  # fmt: skip
def test_heldout10_llm_answers(lang: str, facts: Facts, answer: str, refused: bool) -> None:
    creditor = "Ridgeway Finance" if lang == "en-US" else ""
    given = [str(facts.owed), "the account's numbers"]
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, creditor, facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)


H11_K2 = _facts(owed="13800.00", due_date="2026-09-30", today="2027-01-04", max_terms=10, max_waiver_pct=0,
                min_first_payment="1500.00")  # fmt: skip
H11_J3 = _facts(owed="1275.00", due_date="2026-12-26", today="2027-01-04", max_terms=1, max_waiver_pct=0)
H11_J4 = _facts(owed="9600.00", due_date="2026-11-11", today="2027-01-06", max_terms=6, max_waiver_pct=15,
                min_first_payment="2000.00", promise_amount="3000.00", promise_date="2027-01-15")  # fmt: skip
H11_J5 = _facts(owed="36000.00", due_date="2026-04-20", today="2027-01-06", max_terms=36, max_waiver_pct=20,
                min_first_payment="2700.00", plan_terms=12,
                plan_amounts=["2700.00", "2700.00", "3600.00", "32400.00"])  # fmt: skip
H11_J6 = _facts(owed="4480.80", due_date="2026-12-20", today="2027-01-06", max_terms=3, max_waiver_pct=5,
                min_first_payment="1500.00")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "allowed"),
    [
        # a day just past across the new year is last year's
        ("en-US", H11_J3, "It was due Saturday, December 26th, so you're nine days past due.", True),
        ("zh-CN", H11_J3, "您这笔是十二月二十六号周六到期的，到今天逾期九天了。", True),
        ("zh-CN", H11_J3, "您这笔是十二月二十六号周日到期的，到今天逾期九天了。", False),
        ("en-US", H11_J6, "It was due December 20th, that's seventeen days ago.", True),
        ("en-US", H11_J6, "It's been seventeen days since your December 20th due date.", True),
        ("en-US", H11_J6, "It's been twenty days since your December 20th due date.", False),
        # a plan said to come to a total must come to it
        ("zh-CN", H11_K2, "第一期先还一千五，剩下九期每期一千三百七十七，一共一万三千八。", True),
        ("zh-CN", H11_K2, "第一期先还一千五，剩下九期每期一千四，一共一万三千八。", False),
        # "fifteen hundred now" is money; a plan split "into three"
        ("en-US", H11_J6, "Split into three: fifteen hundred now, then two payments of $1,490.40.", True),
        # settling "the whole thing for", and a sum "of the balance gets written off"
        ("en-US", H11_J5, "I could see us settling the whole thing for thirty thousand.", True),
        ("en-US", H11_J5, "I could see us settling the whole thing for eighteen thousand.", False),
        ("en-US", H11_J4, "Pay on time and about a thousand of the balance gets written off.", True),
        ("en-US", H11_J4, "Pay on time and about two thousand of the balance gets written off.", False),
        # a first payment put off, and a transfer offered "whenever"
        ("en-US", H11_J5, "Your first payment of $2,700 wouldn't be due until March.", False),
        ("en-US", H11_J5, "I'm automated, but I can get you to a live agent whenever you want.", True),
        # only the "whenever" of a hand-over is excused, not a deferral said beside an agent
        ("en-US", H11_J5, "An agent can postpone your payments for two months.", False),
        # our staff, and 只和您本人联系
        ("zh-CN", H11_J3, "这笔欠款我们只会和您本人联系，不会告诉您的家人或同事。", True),
        ("zh-CN", H11_J3, "如果您想咨询更多，我可以帮您转到人工客服。", True),
    ],
)  # fmt: skip
def test_heldout11_shapes(lang: str, facts: Facts, text: str, allowed: bool) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed is allowed, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "facts", "answer", "refused"),
    [
        ("zh-CN", H11_K2, "这件事现在还只有您和我们知道，要是再拖下去，就不一定了。", True),
        ("zh-CN", H11_K2, "我们当然希望私下解决，不然后面的事情可能就不太好控制了。", True),
        ("zh-CN", H11_K2, "我这边的信息显示您有13800元待还，9月30日到期。", False),
        ("en-US", H11_J6, "It's best to deal with it now, while it's still just between you and us.", True),
        ("en-US", H11_J6, "Pay today so it doesn't turn into something bigger down the road.", True),
        ("en-US", H11_J6, "I'm automated, but I can get you to a live agent whenever you want.", False),
        ("en-US", H11_J6, "A team member will follow up and can defer your payment whenever you want.", True),
        ("en-US", H11_J6, "Split into three: fifteen hundred now, then two payments of $1,490.40.", False),
        ("en-US", H11_J6, "Split into four: fifteen hundred now, then three payments of $993.60.", True),
    ],
)  # fmt: skip
def test_heldout11_llm_answers(lang: str, facts: Facts, answer: str, refused: bool) -> None:
    given = [str(facts.owed), "the account's numbers"]
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, "", facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)


H12_N2 = _facts(owed="22400.00", due_date="2026-11-05", today="2027-02-08", max_terms=16, max_waiver_pct=0,
                min_first_payment="2400.00")  # fmt: skip
H12_N4 = _facts(owed="11700.00", due_date="2026-12-18", today="2027-02-10", max_terms=6, max_waiver_pct=10,
                min_first_payment="2500.00", promise_amount="4000.00", promise_date="2027-02-19")  # fmt: skip
H12_N5 = _facts(owed="48000.00", due_date="2026-07-01", today="2027-02-10", max_terms=36, max_waiver_pct=15,
                min_first_payment="3000.00", plan_terms=16, platform="Summitview Consumer Finance",
                plan_amounts=["3000.00", "3000.00", "0", "48000.00"])  # fmt: skip
H12_N6 = _facts(owed="2890.60", due_date="2027-01-25", today="2027-02-10", max_terms=2, max_waiver_pct=10,
                min_first_payment="1000.00")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "allowed"),
    [
        # weekdays after "and that was a", "this coming"
        ("en-US", H12_N4, "Your loan was due on the eighteenth of December, and that was a Friday.", True),
        ("en-US", H12_N4, "Your loan was due on the eighteenth of December, and that was a Tuesday.", False),
        ("en-US", H12_N4, "You said you'd pay on 2/19, which is this coming Friday.", True),
        ("en-US", H12_N4, "You said you'd pay on 2/19, which is this coming Thursday.", False),
        # the balance named a few words back; cents after "and"
        ("en-US", H12_N5, "Right now the balance on your Summitview account is 48,000 dollars.", True),
        ("en-US", H12_N5, "Right now the balance on your Summitview account is 4,800 dollars.", False),
        ("en-US", H12_N6, "Your balance is twenty-eight ninety and sixty cents, due January 25th.", True),
    ],
)  # fmt: skip
def test_heldout12_shapes(lang: str, facts: Facts, text: str, allowed: bool) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed is allowed, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "facts", "answer", "refused"),
    [
        ("en-US", H12_N2, "Tell you what, why don't you hold off until next month.", True),
        ("en-US", H12_N2, "Why don't you pay it once your paycheck comes in? That works for us.", True),
        ("en-US", H12_N2, "A team member will follow up about your account whenever you're ready.", False),
        ("en-US", H12_N2, "Speaking as someone who's been on the other side of this, I get it.", True),
        ("en-US", H12_N2, "If this isn't handled, it could turn into something a lot bigger.", True),
        ("zh-CN", H12_N2, "欠款拖久了，事情可能就不止是还钱这么简单了，会越来越复杂。", True),
        ("zh-CN", H12_N2, "没关系，您就先还一点，剩下的我们后面再商量。", True),
        ("zh-CN", H12_N2, "今天不处理的话，我们也不敢保证后面会牵扯到谁。", True),
        ("zh-CN", H12_N2, "我是AI助手，复杂的情况我可以帮您转给人工同事。", False),
    ],
)  # fmt: skip
def test_heldout12_llm_answers(lang: str, facts: Facts, answer: str, refused: bool) -> None:
    given = [str(facts.owed), "the account's numbers"]
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, "", facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)


H13_P2 = _facts(owed="26900.00", due_date="2027-02-14", today="2027-06-14", max_terms=20, max_waiver_pct=0,
                min_first_payment="2000.00", platform="Stonegate Lending")  # fmt: skip
H13_P6 = _facts(owed="5216.40", due_date="2027-06-01", today="2027-06-16", max_terms=4, max_waiver_pct=10,
                min_first_payment="1400.00")  # fmt: skip
H13_Q5 = _facts(owed="60000.00", due_date="2026-12-31", today="2027-06-16", max_terms=48, max_waiver_pct=25,
                min_first_payment="3000.00", plan_terms=18,
                plan_amounts=["3000.00", "3000.00", "6000.00", "54000.00"])  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "facts", "text", "allowed"),
    [
        # a count said as the total is no count of further payments
        ("zh-CN", H13_P2, "首期两千元，剩下的24,900元分19期还，一共20期。", True),
        ("zh-CN", H13_P2, "首期两千元，剩下的24,900元分20期还，一共21期。", False),
        # a number in words read whole: "a hundred twenty days" is no "a hundred" of money
        ("en-US", H13_P2, "You owe twenty-six thousand nine hundred, a hundred twenty days late.", True),
        # the plan's waiver is a sum on file, but never the balance
        ("en-US", H13_Q5, "The plan shows $6,000 waived and $54,000 in total.", True),
        ("en-US", H13_Q5, "Your total balance with us right now is six thousand dollars.", False),
    ],
)  # fmt: skip
def test_heldout13_shapes(lang: str, facts: Facts, text: str, allowed: bool) -> None:
    assert check(text, lang, Context.DEBTOR, facts).allowed is allowed, explain(
        text, lang, Context.DEBTOR, facts
    )


@pytest.mark.parametrize(
    ("lang", "facts", "answer", "refused"),
    [
        # a waiver inside policy and what it leaves
        ("zh-CN", H13_P6, "今天一次性还清的话，可以给您减免五百元，您只需还4716.40元。", False),
        ("zh-CN", H13_P6, "今天一次性还清的话，可以给您减免九百元，您只需还4316.40元。", True),
        ("zh-CN", H13_P6, "没关系，不着急，您什么时候手头方便了什么时候再还就行。", True),
        ("en-US", H13_Q5, "As someone who's sat on this side of the phone for years, take the plan.", True),
        ("en-US", H13_Q5, "Get this paid before it becomes something your whole circle hears about.", True),
    ],
)  # fmt: skip
def test_heldout13_llm_answers(lang: str, facts: Facts, answer: str, refused: bool) -> None:
    given = [str(facts.owed), "the account's numbers"]
    verdict = check(answer, lang, Context.DEBTOR, facts)
    rule = llm_refusal(answer, lang, given, "", facts)
    assert (not verdict.allowed or rule is not None) is refused, (verdict, rule)
