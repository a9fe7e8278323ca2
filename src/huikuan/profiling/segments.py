"""Debtor segments from a rule layer an operator can read, with the features that decided them.

Hand-written on purpose: these rules are what a collections officer would say ("a debtor who
told us twice they lost their job is in hardship"), and every verdict must name its evidence
in words an agent reads on the screen pop. The learned model (`learned.py`) only speaks where
these rules found nothing, and only when it is sure.

Evidence is weighed per segment (`EVIDENCE`: feature → weight). The strongest segment wins when
it has at least `MIN_EVIDENCE` and beats the runner-up by `MARGIN`; otherwise the verdict is
"unknown" (contradictory or too little), which the strategy treats as no segment at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huikuan.profiling.features import Features


class Segment(StrEnum):
    FORGETFUL = "forgetful"
    HARDSHIP = "hardship"
    UNWILLING = "unwilling"
    DISPUTING = "disputing"
    ABUSIVE = "abusive"
    UNREACHABLE = "unreachable"
    NEW = "new"  # never called yet: nothing to judge by
    UNKNOWN = "unknown"  # too little or contradictory evidence: the strategy's default applies


SEGMENT_WORDS: dict[Segment, tuple[str, str]] = {
    Segment.FORGETFUL: ("遗忘型", "forgetful"),
    Segment.HARDSHIP: ("经济困难", "in hardship"),
    Segment.UNWILLING: ("还款意愿低", "unwilling"),
    Segment.DISPUTING: ("有异议", "disputing"),
    Segment.ABUSIVE: ("情绪激烈", "abusive"),
    Segment.UNREACHABLE: ("难以联系", "unreachable"),
    Segment.NEW: ("新案件", "new (not called yet)"),
    Segment.UNKNOWN: ("未知", "unknown"),
}

# How each feature reads in a sentence: (zh, en) with {v} for its value.
FEATURE_WORDS: dict[str, tuple[str, str]] = {
    "intent_promise_to_pay": ("承诺还款 {v} 次", "promised to pay {v} time(s)"),
    "disp_ptp": ("通话以还款承诺结束 {v} 次", "{v} call(s) ended in a promise"),
    "disp_paid": ("表示已还款 {v} 次", "said they had paid {v} time(s)"),
    "promises_kept": ("兑现承诺 {v} 次", "kept {v} promise(s)"),
    "promises_broken": ("未兑现承诺 {v} 次", "broke {v} promise(s)"),
    "intent_hardship": ("提到经济困难 {v} 次", "mentioned hardship {v} time(s)"),
    "intent_request_installment": ("要求分期 {v} 次", "asked for installments {v} time(s)"),
    "disp_installment": ("接受分期 {v} 次", "accepted a plan {v} time(s)"),
    "disp_hardship": ("通话以困难结束 {v} 次", "{v} call(s) ended on hardship"),
    "intent_refuse_to_pay": ("拒绝还款 {v} 次", "refused to pay {v} time(s)"),
    "disp_refused": ("通话以拒绝结束 {v} 次", "{v} call(s) ended in refusal"),
    "intent_stop_contact": ("要求停止联系 {v} 次", "asked us to stop {v} time(s)"),
    "intent_dispute": ("对债务提出异议 {v} 次", "disputed the debt {v} time(s)"),
    "intent_already_paid": ("称已还清 {v} 次", "said it was already paid {v} time(s)"),
    "disp_dispute": ("通话以异议结束 {v} 次", "{v} call(s) ended in a dispute"),
    "intent_abusive": ("辱骂 {v} 次", "was abusive {v} time(s)"),
    "disp_abusive_hangup": ("辱骂后挂断 {v} 次", "hung up abusively {v} time(s)"),
    "intent_complaint": ("投诉 {v} 次", "complained {v} time(s)"),
    "attempts": ("已拨打 {v} 次", "{v} attempt(s)"),
    "right_party": ("本人接通 {v} 次", "reached in person {v} time(s)"),
    "answered": ("接通 {v} 次", "answered {v} time(s)"),
    "dead_line_attempts": ("空号或关机 {v} 次", "{v} dead-line result(s)"),
    "disp_third_party": ("第三方接听 {v} 次", "a third party answered {v} time(s)"),
    "disp_wrong_number": ("打错号码 {v} 次", "{v} wrong-number call(s)"),
    "reach_rate": ("接通率 {v}", "answer rate {v}"),
    "days_past_due": ("逾期 {v} 天", "{v} days past due"),
    "overdue_share": ("逾期金额占比 {v}", "overdue share {v}"),
    "invalid_numbers": ("无效号码 {v} 个", "{v} invalid number(s)"),
}

# Evidence per segment: feature → weight. A dispute competes like the rest: the compliance
# engine already stops calls on a dispute whatever the segment, and a lone "dispute" line next to
# promises is more often the NLU mishearing "行没问题" than a dispute (bench/profiling.py).
EVIDENCE: dict[Segment, dict[str, float]] = {
    Segment.DISPUTING: {"intent_dispute": 2, "intent_already_paid": 2, "disp_dispute": 2},
    Segment.ABUSIVE: {"intent_abusive": 1.5, "disp_abusive_hangup": 2},
    Segment.HARDSHIP: {
        "intent_hardship": 1.5,
        "intent_request_installment": 1.5,
        "disp_installment": 1,
        "disp_hardship": 1,
    },
    Segment.UNWILLING: {
        "intent_refuse_to_pay": 1.5,
        "disp_refused": 1,
        "promises_broken": 1,
        "intent_stop_contact": 0.5,
    },
    Segment.FORGETFUL: {"intent_promise_to_pay": 1, "disp_ptp": 1, "promises_kept": 2, "disp_paid": 1},
}
MIN_EVIDENCE = 2.0  # at least one clear line plus the call's outcome, or two lines
MARGIN = 2.0  # the winner's weight must be at least twice the runner-up's (a refusal then a promise: unknown)
UNREACHABLE_AFTER = 4  # attempts with nobody of the debtor's reached


def _generic_words(feature: str) -> tuple[str, str]:
    """Words for a feature without its own sentence: the intent or outcome label and the count."""
    for prefix, zh, en in (
        ("intent_", "说了「{x}」", "said '{x}'"),
        ("disp_", "通话结果「{x}」", "call outcome '{x}'"),
    ):
        if feature.startswith(prefix):
            label = feature.removeprefix(prefix)
            return zh.format(x=label) + " {v} 次", en.format(x=label) + " {v} time(s)"
    return feature + " {v}", feature + " {v}"


# Features a sentence may cite: counts of what happened, not the account's standing figures.
EVIDENCE_FEATURES = frozenset(
    {
        "promises_made",
        "promises_kept",
        "promises_broken",
        "attempts",
        "answered",
        "right_party",
        "dead_line_attempts",
    }
)


def citable(feature: str) -> bool:
    return feature in EVIDENCE_FEATURES or feature.startswith(("intent_", "disp_"))


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    value: float

    def words(self) -> tuple[str, str]:
        zh, en = FEATURE_WORDS.get(self.feature) or _generic_words(self.feature)
        shown = f"{self.value:.0%}" if self.feature.endswith(("_rate", "_share")) else f"{self.value:g}"
        return zh.format(v=shown), en.format(v=shown)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A segment, where it came from (rules | model | none) and the evidence behind it."""

    segment: Segment
    source: str
    confidence: float
    reasons: tuple[Reason, ...]
    contradictory: bool = False  # evidence for two segments: no model may overrule that

    def explanation(self) -> tuple[str, str]:
        """One sentence per language: the segment and the few features that decided it."""
        s_zh, s_en = SEGMENT_WORDS[self.segment]
        said = [r.words() for r in self.reasons]
        zh_why = "，".join(z for z, _ in said) or "没有足够的通话记录"
        en_why = ", ".join(e for _, e in said) or "not enough call history"
        if self.segment == Segment.UNKNOWN:
            return (
                f"客群未知（依据不足或相互矛盾：{zh_why}），按账龄决定",
                f"segment unknown (too little or contradictory evidence: {en_why}), so the bucket decides",
            )
        how_zh = "模型判断" if self.source == "model" else "规则判断"
        how_en = f"model, {self.confidence:.0%} sure" if self.source == "model" else "rules"
        return (f"客群为「{s_zh}」（{how_zh}：{zh_why}）", f"the debtor is {s_en} ({how_en}: {en_why})")


def _evidence(features: Features, segment: Segment) -> tuple[float, list[Reason]]:
    weights = EVIDENCE[segment]
    score = sum(w * features[f] for f, w in weights.items())
    reasons = [Reason(f, features[f]) for f in sorted(weights, key=lambda f: -weights[f] * features[f])]
    return score, [r for r in reasons if r.value > 0][:3]


def by_rules(features: Features) -> Verdict:
    """The rule layer's verdict: a segment with its evidence, or unknown."""
    if features["attempts"] == 0:
        return Verdict(Segment.NEW, "rules", 1.0, (Reason("attempts", 0),))
    scores = {seg: _evidence(features, seg) for seg in EVIDENCE}
    ranked = sorted(((score, seg, reasons) for seg, (score, reasons) in scores.items()), key=lambda t: -t[0])
    (top, seg, reasons), (second, _, second_reasons) = ranked[0], ranked[1]
    if top >= MIN_EVIDENCE and top > MARGIN * second:
        return Verdict(seg, "rules", round(top / (top + second), 2), tuple(reasons))
    if top > 0:  # something was said, but not enough or pulling two ways
        return Verdict(Segment.UNKNOWN, "rules", 0.0, tuple((reasons + second_reasons)[:3]), second > 0)
    own_reached = features["right_party"] > 0
    if features["attempts"] >= UNREACHABLE_AFTER and not own_reached:
        why = [Reason("attempts", features["attempts"]), Reason("right_party", 0)]
        for name in ("dead_line_attempts", "disp_third_party", "disp_wrong_number"):
            if features[name] > 0:
                why.append(Reason(name, features[name]))
        return Verdict(Segment.UNREACHABLE, "rules", 1.0, tuple(why[:3]))
    return Verdict(
        Segment.UNKNOWN,
        "rules",
        0.0,
        (Reason("attempts", features["attempts"]), Reason("right_party", features["right_party"])),
    )
