"""Fact checks: what a robot sentence says about money, plans and days must match the account.

The word frames (`zh`, `en`) catch how a sentence is said; these checks catch *what* it states,
against `Facts` — the account (owed, due date), the call's clock (today) and the strategy's plan
bounds (max terms, max waiver %, min first payment), plus what the call produced (the amount and
day the debtor promised, the plan the robot offered). A sentence is blocked when:

- an amount stated as owed is neither what is owed nor a known figure (promise, plan), a sum restated
  as the promise is not the promise ("您之前承诺的是…还三千块"), a plan's payments do not add up to
  the balance ("首期五百，剩下五期每期七百"), or a restatement of the plan on file ("给您的方案…")
  is not that plan: WRONG_AMOUNT;
- it offers more payments than `max_terms`, a first payment under `min_first_payment` (or none:
  "首期0元", "nothing down", "前三个月不用还"), or a monthly amount that could not clear the
  balance within `max_terms`: OFFER_OUTSIDE_BOUNDS;
- it offers a discount or waiver beyond `max_waiver_pct` ("打五折", "settle for half", "减免30%",
  a settlement for less than policy allows), or any waiver at all when the policy allows none
  ("减免利息", "waive the fees"): WAIVER_OUTSIDE_POLICY (a sum waived or settled for here, a share
  said in words in `waivers.py`);
- a day it names does not exist or is not the account's: IMPOSSIBLE_DATE, in `day_facts.py`.

`Facts` and the clause helpers the rule modules share live in `account.py`.

Every amount is read by one parser (`numbers`: digits, Chinese numerals, number words, "1.5k",
"twelve fifty", unit-less amounts after money words) and every day by one (`dates`: absolute,
ordinal words, "the 5th of next month", always-past relative days); the words that give them
their roles live in `fact_words`.

How a number is read: its *role* comes from the words closest before it in the same clause
(首期/first payment, 每月/a month, 减免/waive, 欠/owe, 剩下/remaining…) or right after it
("…就结清", "…and we'll call it even"). An offer that is refused in the same clause ("无法减免",
"we can't waive") is not an offer. Pointing the debtor to an application reviewed by people
("可以申请减免", "you may request a hardship review") is not an offer either, unless it names a
figure beyond policy. Hand-written for the same reasons as the frames: no library knows this policy
and every block must name its rule (`check` returns (category, rule id) pairs).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from huikuan.compliance.guard import dates, numbers, waivers
from huikuan.compliance.guard.account import (
    CENT,
    Facts,
    Hit,
    clause_around,
    close,
    next_clause_end,
    refused,
)
from huikuan.compliance.guard.fact_words import HANDED_OVER_WHENEVER, LEXICONS, Lexicon
from huikuan.compliance.guard.types import Category

# Another sum of money ("3400元", "$3,400") between a figure and a settlement cue.
_ANOTHER_NUMBER = re.compile(r"[\d一二两三四五六七八九十百千万.,]+(?:元|块)|\$\s?\d")


def _role(text: str, lex: Lexicon, mention: numbers.Mention, next_start: int | None = None) -> str:
    left, right = clause_around(text, lex, mention.start, mention.end)
    before = text[max(left, mention.start - lex.look_back) : mention.start]
    after = text[mention.end : min(right, mention.end + lex.look_ahead)]
    # A settlement's terms may follow in the next clause ("您还2000块钱，这笔账就算结清了"), and
    # they decide the role whatever came before ("Pay $800 and we'll call it even").
    wide = text[mention.end : mention.end + lex.look_ahead + 8]
    other = _ANOTHER_NUMBER.search(wide)
    if other is not None:  # "减免850元，您只需还3400元即可结清": the settlement is the later figure's
        wide = wide[: other.start()]
    if next_start is not None and next_start - mention.end < len(wide):  # "减一千二，还一万零八百就结清"
        wide = wide[: max(0, next_start - mention.end)]
    if lex.settles.search(wide):
        return "settle"
    if lex.owed_after.search(after):  # "the $1,900 you owe": named as owed, whatever came before
        return "owed"
    for role, cue in lex.after:
        # "$1,100 principal and $150 in fees" is a part, "pay $180 a month" an instalment, "$3,600
        # waived" a waiver, whatever came before
        if role in ("component", "instalment", "waiver") and cue.search(after):
            return role
    for role, cue in lex.roles:
        if cue.search(before):
            return role
    for role, cue in lex.after:
        if cue.search(wide if role == "settle" else after):
            return role
    return "none"


def _check_terms(
    text: str, lex: Lexicon, facts: Facts, first_said: bool, counts: list[numbers.Mention]
) -> list[Hit]:
    hits: list[Hit] = []
    nothing = lex.nothing_first.search(text)
    if (
        nothing is not None
        and not refused(text, lex, nothing.start(), nothing.end())
        and (facts.min_first_payment is None or facts.min_first_payment > 0)
    ):
        hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.no_first_payment"))
    handed_over = {m.start("when") for m in HANDED_OVER_WHENEVER.finditer(text)}
    for d in lex.deferral.finditer(text):
        left, right = clause_around(text, lex, d.start(), d.end())
        # a deferral people review may be pointed to, in its clause or the next
        # ("提交延期还款申请，审核通过后生效")
        reviewed = lex.application.search(text, left, right) or lex.reviewed.search(
            text, right, next_clause_end(text, lex, right)
        )
        if not refused(text, lex, d.start(), d.end()) and not reviewed and d.start() not in handed_over:
            hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.deferral"))
            break
    if facts.max_terms is None:
        return hits
    for t in counts:
        if refused(text, lex, t.start, t.end):
            continue
        count = int(t.value)
        left, _ = clause_around(text, lex, t.start, t.end)
        window = text[max(0, left - 30) : t.start]
        in_total = re.search(r"(?:一共|总共|合计|共计|in total|total of|altogether)\s*$", text[: t.start])
        if (
            first_said
            and not in_total
            and re.search(
                r"剩下|剩余|其余|余下|more|remaining|remainder|the rest", window + text[t.start : t.end]
            )
        ):
            count += 1  # "先还300元，剩下的分5期" is six payments
        if count > max(facts.max_terms, facts.plan_terms or 0):
            hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.too_many_terms"))
            break
    return hits


def _check_amounts(
    text: str,
    lang: str,
    lex: Lexicon,
    facts: Facts,
    counts: list[numbers.Mention],
    offers: list[waivers.Offer],
) -> tuple[list[Hit], bool]:
    """Hits on stated amounts, and whether a first payment was named (for counting terms)."""
    hits: list[Hit] = []
    first_said = False
    owed = facts.owed
    known = facts.known_amounts()
    mentions = numbers.money(text, lang)
    first_value: Decimal | None = None
    for i, m in enumerate(mentions):
        role = _role(text, lex, m, mentions[i + 1].start if i + 1 < len(mentions) else None)
        first_said |= role == "first"
        if role == "first" and first_value is None:
            first_value = m.value  # a promised first payment is still the first ("…剩余的4200元")
        if role in ("none", "first", "instalment") and _restates_the_promise(
            text, lang, m, mentions[i - 1].end if i else 0
        ):
            role = "promise"
        if owed is None:
            continue
        if role in ("waiver", "first", "instalment") and refused(text, lex, m.start, m.end):
            continue
        # A settlement's own words may carry a "not" ("…and you won't owe the rest"): only a
        # refusal before the amount counts.
        if role == "settle" and refused(text[: m.start], lex, m.start, m.start):
            continue
        is_known = any(close(m.value, k, m.approx) for k in known)
        if role == "waiver":
            pct = Decimal(100) if owed == 0 else m.value * 100 / owed
            # only the plan's own waiver is a known sum to waive: "take two grand off" is no
            # promise of two grand
            plan_waiver = _the_plans_waiver(m, facts)
            charged = _CHARGED.match(text, m.end)  # "take $1,250 off your card" is a payment
            if (
                facts.max_waiver_pct is not None
                and pct > facts.max_waiver_pct + Decimal("0.01")
                and not plan_waiver
                and not charged
            ):
                hits.append((Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.amount_over_limit"))
        elif role == "settle":
            floor = owed * (100 - (facts.max_waiver_pct or 0)) / 100
            if m.value > owed + CENT and not is_known:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.settle_over_owed"))
            elif (
                m.value < floor - Decimal("0.05")
                and not _settles_a_plan(m, facts)
                and not _the_promise_on_its_day(text, lang, m, facts)
            ):
                # "还2000块钱就算结清", "pay two grand and close it out": the settlement is the waiver,
                # even for a sum on file (a promise or a first payment settles nothing)
                hits.append((Category.WAIVER_OUTSIDE_POLICY, "facts.waiver.settlement_under_floor"))
        elif role == "first":
            if facts.min_first_payment is not None and m.value < facts.min_first_payment and not is_known:
                hits.append((Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.first_payment_too_small"))
            elif m.value > owed + CENT:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.over_owed"))
        elif role == "instalment":
            hits.extend(_check_instalment(text, lex, m, facts, is_known, first_value, counts))
        elif role == "owed":
            floor = owed * (100 - (facts.max_waiver_pct or 0)) / 100
            # "减免两成的话，您需要还3400元": what is left after a waiver the policy allows
            after_waiver = floor - Decimal("0.05") <= m.value <= owed and bool(offers)
            # the plan's waiver is a sum on file, but never the balance ("your balance is six thousand")
            as_balance = is_known and not (_the_plans_waiver(m, facts) and facts.plan_amounts[2] != owed)
            if not as_balance and not after_waiver:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.not_what_is_owed"))
        elif role == "promise":
            if facts.promise_amount is not None and not is_known:
                hits.append((Category.WRONG_AMOUNT, "facts.amount.not_what_was_promised"))
        elif role == "remaining" and first_value is not None and not is_known and m.start > 0:
            # "$1,000 today and the remaining $4,500": what is left must be the balance less the first
            if not (close(m.value, owed - first_value, m.approx) or close(m.value, owed, m.approx)):
                hits.append((Category.WRONG_AMOUNT, "facts.amount.remaining_not_balance"))
        elif m.value > owed + CENT and not is_known:  # remaining, component or unlabelled
            hits.append((Category.WRONG_AMOUNT, "facts.amount.over_owed"))
        elif (
            role != "component"
            and not is_known
            and not _PAST.match(text, m.end, m.end + 20)
            and not _explained(m, facts, [x.value for x in mentions if x is not m])
        ):
            # Default-deny: a figure the account does not explain is a wrong amount.
            hits.append((Category.WRONG_AMOUNT, "facts.amount.unexplained"))
    hits.extend(_check_listed_payments(text, lex, facts, mentions, counts))
    hits.extend(_check_left_after_waiver(text, facts, mentions, offers))
    hits.extend(_check_plan_on_file(text, lang, facts, mentions, counts))
    return hits, first_said


_SENTENCE_BREAK = re.compile(r"[。！？!?;；]|\.(?!\d)")


def _restates_the_promise(text: str, lang: str, m: numbers.Mention, previous_end: int) -> bool:
    """The amount is the one the debtor promised, named further back in its sentence than the role
    words reach ("您之前承诺的是12月10号还三千块", "your promise on file to pay twenty-five hundred")."""
    start = max([previous_end, *(b.end() for b in _SENTENCE_BREAK.finditer(text, 0, m.start))])
    cue = _PROMISE_CUE[lang].search(text, start, m.start)
    return cue is not None


_PROMISE_CUE = {
    "zh-CN": re.compile(r"承诺|答应|约定|说好|保证会?还"),
    "en-US": re.compile(r"\bpromis\w*|\byou agreed to pay\b|\byou said you would pay\b"),
}


# The plan already offered, referred to as such: its figures are those on file.
_PLAN_ON_FILE = {
    "zh-CN": re.compile(
        r"(?:给您|为您|跟您|和您|之前|上次|刚才|已经?)[^,，。；;]{0,6}(?:方案|计划|分期)|原(?:来的)?(?:方案|计划)"
    ),
    "en-US": re.compile(
        r"\b(?:the|your) (?:payment |installment )?plan (?:we|i) (?:offered|gave|set up|discussed|agreed)"
        r"|\b(?:your|the) (?:existing|current|agreed) (?:payment )?plan|\bplan (?:on file|you were offered)"
    ),
}


def _check_plan_on_file(
    text: str, lang: str, facts: Facts, mentions: list[numbers.Mention], counts: list[numbers.Mention]
) -> list[Hit]:
    """A sentence that restates the plan already offered must restate its count and amounts."""
    reference = _PLAN_ON_FILE[lang].search(text) if facts.plan_terms else None
    if reference is None:
        return []
    # what follows the reference, to the end of its sentence ("…最多可以分18期；您也可以按之前的方案分6期")
    end = next((b.start() for b in _SENTENCE_BREAK.finditer(text, reference.end())), len(text))
    if any(int(c.value) != facts.plan_terms for c in counts if reference.start() <= c.start < end):
        return [(Category.WRONG_AMOUNT, "facts.amount.not_the_plan_offered")]
    known = facts.known_amounts()
    restated = [m for m in mentions if reference.start() <= m.start < end]
    if any(not any(close(m.value, k, m.approx) for k in known) for m in restated):
        return [(Category.WRONG_AMOUNT, "facts.amount.not_the_plan_offered")]
    return []


# "减免15%后，您只需还…", "with fifteen percent off, you'd only need to pay…": what the waiver leaves
_ONLY_PAY = re.compile(
    r"(?:only|just) (?:need to |have to |would need to )?pay\W+(?:\w+\W+){0,1}$"
    r"|只(?:需要?|要|用)还[^\d]{0,2}$"
)


def _check_left_after_waiver(
    text: str, facts: Facts, mentions: list[numbers.Mention], offers: list[waivers.Offer]
) -> list[Hit]:
    """The sum said to be left after a waiver the sentence offers must be what that waiver leaves."""
    owed = facts.owed
    if owed is None:
        return []
    for pct, start, _ in offers:
        if pct is None or pct >= 100:
            continue
        left_over = owed * (100 - pct) / 100
        for m in mentions:
            said_as_left = m.start > start and _ONLY_PAY.search(text, max(0, m.start - 30), m.start)
            tolerance = max(Decimal(1), left_over * Decimal("0.01"))
            if said_as_left and not m.approx and abs(m.value - left_over) > tolerance:
                return [(Category.WRONG_AMOUNT, "facts.amount.not_what_the_waiver_leaves")]
    return []


def _check_listed_payments(
    text: str, lex: Lexicon, facts: Facts, mentions: list[numbers.Mention], counts: list[numbers.Mention]
) -> list[Hit]:
    """ "Three payments: $2,000 now, then a thousand, then another thousand": as many amounts as the
    payments said, which must add up to the balance (less only a waiver the sentence offers)."""
    owed = facts.owed
    if owed is None or len(counts) != 1 or len(mentions) != int(counts[0].value) or len(mentions) < 2:
        return []
    if any(m.start < counts[0].start or m.approx for m in mentions):
        return []  # the amounts are listed after the count ("three payments: …"), exactly
    total = sum((m.value for m in mentions), Decimal(0))
    if total < _payable(text, lex, owed, facts) * Decimal("0.95"):
        return [(Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.instalments_leave_a_balance")]
    if total > owed * Decimal("1.1") + 1:
        return [(Category.WRONG_AMOUNT, "facts.amount.plan_does_not_add_up")]
    return []


def _payable(text: str, lex: Lexicon, owed: Decimal, facts: Facts) -> Decimal:
    """What a plan said in `text` must pay in all: the balance, less the most the policy waives only
    when the sentence itself offers a waiver."""
    if lex.waiver.search(text) is None:
        return owed
    return owed * (100 - (facts.max_waiver_pct or 0)) / 100


def _the_promise_on_its_day(text: str, lang: str, m: numbers.Mention, facts: Facts) -> bool:
    """The sum is the promise on file, said with its day ("12月21号在App里还3500元就可以"): a
    reminder of the promise, not a settlement for less."""
    if facts.promise_amount is None or facts.promise_date is None or facts.today is None:
        return False
    if not close(m.value, facts.promise_amount, m.approx):
        return False
    return any(day == facts.promise_date for _, day in dates.days_named(text, lang, facts.today))


def _the_plans_waiver(m: numbers.Mention, facts: Facts) -> bool:
    """The sum is the waiver of the plan offered (its first, regular, waived and total amounts)."""
    return len(facts.plan_amounts) > 2 and close(m.value, facts.plan_amounts[2], m.approx)


def _settles_a_plan(m: numbers.Mention, facts: Facts) -> bool:
    """The plan offered settles for this sum (its total after its own waiver)."""
    return bool(facts.plan_amounts) and close(m.value, facts.plan_amounts[-1], m.approx)


_CHARGED = re.compile(r"\s*off (?:of )?(?:your|the|my) (?:card|bank|checking|savings|debit|account)")
# "a payment of $50 from last week": a figure reported from the account's history, not stated now
_PAST = re.compile(r"\s*(?:from last|last (?:week|month)|ago|yesterday|earlier|已还|之前)")


def _explained(m: numbers.Mention, facts: Facts, others: list[Decimal]) -> bool:
    """Whether a figure with no clear role is one the account explains: an instalment of a plan
    within bounds, a first payment, a settlement or waiver within policy, or what is left after
    another figure said in the sentence."""
    owed = facts.owed
    if owed is None or owed <= 0:
        return True
    value = m.value
    if facts.min_first_payment is not None and value >= facts.min_first_payment - CENT:
        return True  # a first or partial payment the plan allows
    for k in range(1, max(facts.max_terms or 1, facts.plan_terms or 1) + 1):
        if abs(value - owed / k) <= max(Decimal(1), owed / k * Decimal("0.02")) or (
            m.approx and close(value, owed / k, True)
        ):
            return True
    pct = Decimal(facts.max_waiver_pct or 0)
    if owed * (100 - pct) / 100 - Decimal("0.05") <= value <= owed:  # a settlement within policy
        return True
    if value <= owed * pct / 100 + Decimal("0.05"):  # a waiver within policy
        return True
    if others and close(value + sum(others), owed, m.approx):  # "three payments: $500, $400 and $350"
        return True
    return any(close(value, owed - other, m.approx) or close(value, other - value, False) for other in others)


def _check_instalment(
    text: str,
    lex: Lexicon,
    m: numbers.Mention,
    facts: Facts,
    is_known: bool,
    first: Decimal | None,
    counts: list[numbers.Mention],
) -> list[Hit]:
    owed = facts.owed
    if owed is None or is_known:
        return []
    if m.value > owed + CENT:
        return [(Category.WRONG_AMOUNT, "facts.amount.over_owed")]
    if facts.max_terms is None or m.value <= 0:
        return []
    waived = lex.waiver.search(text) is not None
    payable = _payable(text, lex, owed, facts)
    # Loosely said amounts ("290多", "about $104") are read at their most generous.
    monthly = m.value * (Decimal("1.15") if m.approx else 1)
    if counts:  # the count is checked on its own; here: do the payments said clear the balance?
        count = max(counts, key=lambda c: c.value)
        # "分6期，首期500" is five more after the first; "首期500，剩下5期" and "$800 down, then $1,000 a
        # month for seven months" are five and seven more
        more = _said_as_the_rest(text, count, 40) or count.start > m.start
        regular = int(count.value) - (1 if first is not None and not more else 0)
        paid = monthly * regular + (first or 0)
        if paid < payable * Decimal("0.95"):
            return [(Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.instalments_leave_a_balance")]
        per_payment = _PER_PAYMENT.search(text[max(0, m.start - 12) : m.end + 14])
        # a plan said to clear the balance exactly ("八期正好还完", "一共一万三千八") must, to a
        # cent's rounding per payment; otherwise rounding up is fine,
        # and a loosely said payment ("每期大概一千一百二") a little more so
        slack = Decimal("1.01") if _EXACTLY.search(text) else Decimal("1.1")
        slack += Decimal("0.05") if m.approx else 0
        paid_as_said = m.value * regular + (first or 0)
        if per_payment and paid_as_said > owed * slack + 1:
            return [(Category.WRONG_AMOUNT, "facts.amount.plan_does_not_add_up")]
        nearest = min(counts, key=lambda c: abs(c.start - m.start))
        if (
            per_payment
            and not m.approx
            and first is not None
            and not waived
            and _said_as_the_rest(text, nearest, 8)
        ):
            # "先还一千五，剩下分两期，每期一千五百块": the rest, split, is the balance less the first
            share = (owed - first) / int(nearest.value)
            if share > 0 and abs(m.value - share) > max(Decimal(1), share * Decimal("0.03")):
                return [(Category.WRONG_AMOUNT, "facts.amount.plan_does_not_add_up")]
        return []
    needed = math.ceil((payable / monthly) - Decimal("0.02"))
    if needed > max(facts.max_terms, facts.plan_terms or 0):
        return [(Category.OFFER_OUTSIDE_BOUNDS, "facts.plan.instalment_too_small")]
    return []


# "每期700", "$600 each": the amount is one of the payments, not a part spread over them
_PER_PAYMENT = re.compile(
    r"每期|每月|每个月|月供|一期|each|per |a month|every month|monthly|a payment|payments? of"
)
_EXACTLY = re.compile(
    r"正好|刚好|整好|恰好|就还清|还完|结清|exactly|pays? (?:it |everything )?off|in full"
    r"|(?:一共|总共|合计|加起来)(?:是|就是)?\s*[\d一二两三四五六七八九十百千万.,]+\s*(?:元|块|[。，,!！]|$)"
    r"|covers the (?:balance|full|whole)|adds up to|in total"
)
_REMAINING = re.compile(r"剩下|剩余|其余|余下|之后|然后|再分|remaining|the rest|\bmore\b|after that|\bthen\b")


def _said_as_the_rest(text: str, count: numbers.Mention, reach: int) -> bool:
    """The payment count is of payments after the first: "剩下5期", "then five more" (the words
    within `reach` characters before it)."""
    return bool(
        _REMAINING.search(text[max(0, count.start - reach) : count.end]) or numbers.is_more(text, count)
    )


def check(normalized: str, lang: str, facts: Facts | None) -> list[Hit]:
    """The money and plan rules that fire on an already normalised sentence (the day rules are
    `day_facts.check`)."""
    lex = LEXICONS.get(lang)
    if lex is None or facts is None:
        return []
    # read once: every plan rule needs the payment counts, three rules the waivers offered
    counts = numbers.terms(normalized, lang)
    offers = waivers.offered(normalized, lang, lex, facts)
    amount_hits, first_said = _check_amounts(normalized, lang, lex, facts, counts, offers)
    hits = amount_hits + waivers.check(offers, facts)
    hits += _check_terms(normalized, lex, facts, first_said, counts)
    return list(dict.fromkeys(hits))


__all__ = ["Facts", "Hit", "check", "clause_around", "next_clause_end"]
