"""The screen pop: what an agent sees when a transfer rings, masked for the viewer's role.

Agents talk to the debtor, so they see the name to address them; nobody at the desk needs the
phone number (the call is already bridged) or the full ID number, and a supervisor watching the
queue sees every field masked.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from huikuan.desk import repository
from huikuan.desk.models import Transfer
from huikuan.desk.schemas import (
    REASON_LABELS,
    AccountView,
    DebtorView,
    PlanBoundsView,
    PlanView,
    PromiseView,
    ScreenPop,
    SegmentView,
    TransferReason,
    TurnView,
)
from huikuan.errors import NotFound
from huikuan.profiling import service as profiling
from huikuan.profiling.segments import SEGMENT_WORDS
from huikuan.security.masking import mask_name, mask_national_id, mask_phone
from huikuan.security.models import User
from huikuan.security.users import Role
from huikuan.strategy import PlanBounds, Treatment, propose_plan, treatment_for
from huikuan.strategy.treatment import EARLY_BUCKETS, LATE_BUCKETS

# Roles that see the debtor's name in clear on the pop.
NAME_IN_CLEAR = frozenset({Role.AGENT.value})

_TREATMENT_WORDS: dict[Treatment, tuple[str, str]] = {
    Treatment.FRIENDLY_REMINDER: ("友好提醒", "a friendly reminder"),
    Treatment.HARDSHIP_INSTALLMENT: ("困难分期方案", "a hardship installment offer"),
    Treatment.UNWILLING_NOTICE: ("正式的事实告知", "a formal, factual notice"),
    Treatment.DISPUTE_INTAKE: ("先受理异议", "hearing the dispute first"),
    Treatment.HUMAN_HANDOFF: ("转人工处理", "a hand-off to a person"),
}
_SEGMENT_WORDS: dict[str, tuple[str, str]] = {s.value: words for s, words in SEGMENT_WORDS.items()}


def explain_segment(
    bucket: str, segment: str | None, profile: profiling.ProfileRead | None = None
) -> SegmentView:
    """The treatment strategy gives this bucket × segment, and why, in plain words: the
    profile's own explanation (the features that decided the segment) when there is one."""
    treatment = treatment_for(bucket, segment)
    t_zh, t_en = _TREATMENT_WORDS[treatment]
    if profile is not None and (segment is None or segment == profile.strategy_segment):
        zh_seg, en_seg = profile.explanation_zh, profile.explanation_en
    elif segment is None:
        zh_seg = "尚未生成客户画像（尚无通话记录可依），按账龄决定"
        en_seg = "no profile yet (no call history to go on), so the bucket decides"
    else:
        s_zh, s_en = _SEGMENT_WORDS.get(segment, (segment, segment))
        zh_seg = f"客群为「{s_zh}」"
        en_seg = f"the debtor is {s_en}"
    if bucket in LATE_BUCKETS:
        b_zh, b_en = "逾期较久", "long overdue"
    elif bucket in EARLY_BUCKETS:
        b_zh, b_en = "逾期不久", "recently overdue"
    else:
        b_zh, b_en = "逾期中期", "mid-stage overdue"
    extra_zh, extra_en = _profile_notes(profile)
    return SegmentView(
        segment=segment,
        treatment=treatment.value,
        explanation_zh=f"账龄 {bucket}（{b_zh}），{zh_seg}：策略为{t_zh}。{extra_zh}",
        explanation_en=f"Bucket {bucket} ({b_en}) and {en_seg}: the strategy is {t_en}.{extra_en}",
        profiled_segment=profile.segment.value if profile is not None else None,
        best_hours=list(profile.best_hours) if profile is not None else [],
        propensity=profile.propensity if profile is not None else None,
        propensity_version=profile.propensity_version if profile is not None else None,
    )


def _profile_notes(profile: profiling.ProfileRead | None) -> tuple[str, str]:
    """The best hours to call and the propensity to pay, when the profile has them."""
    if profile is None:
        return "", ""
    zh, en = "", ""
    if profile.best_hours:
        zh += f"接通率最高的时段：{'、'.join(f'{h}点' for h in profile.best_hours)}。"
        en += f" Best hours to reach them: {', '.join(f'{h:02d}:00' for h in profile.best_hours)}."
    if profile.propensity is not None:
        zh += f"还款倾向 {profile.propensity:.0%}（模型 {profile.propensity_version}）。"
        en += f" Propensity to pay {profile.propensity:.0%} (model {profile.propensity_version})."
    return zh, en


def _segment_view(session: Session, account_id: int, bucket: str, robot_segment: str | None) -> SegmentView:
    """The robot's segment if it had one, else the account's profile's."""
    profile = profiling.profile_of(session, account_id)
    segment = robot_segment or (profile.strategy_segment if profile is not None else None)
    return explain_segment(bucket, segment, profile)


def plan_bounds_view(outstanding: int, bounds: PlanBounds) -> PlanBoundsView:
    plan = propose_plan(outstanding, bounds, bounds.max_terms)
    return PlanBoundsView(
        max_terms=bounds.max_terms,
        max_waiver_pct=bounds.max_waiver_pct,
        min_first_payment=bounds.min_first_payment,
        example_terms=list(plan.payments) if plan is not None else [],
    )


def build_pop(session: Session, transfer: Transfer, viewer: User, bounds: PlanBounds) -> ScreenPop:
    """The pop for `transfer` as `viewer` may see it."""
    attempt = repository.attempt(session, transfer.attempt_id)
    if attempt is None:
        raise NotFound(f"通话 {transfer.attempt_id} 不存在 / attempt {transfer.attempt_id} not found")
    debtor, account, contacts = repository.pop_rows(session, attempt)
    clear_name = viewer.role in NAME_IN_CLEAR
    reason = TransferReason(transfer.reason)
    return ScreenPop(
        transfer_id=transfer.id,
        attempt_id=attempt.id,
        reason=reason.value,
        reason_label=REASON_LABELS[reason],
        requested_at=transfer.requested_at,
        debtor=DebtorView(
            debtor_id=debtor.id,
            name=debtor.name if clear_name else mask_name(debtor.name),
            national_id=mask_national_id(debtor.national_id) if debtor.national_id else None,
            phones=[mask_phone(c.number) for c in contacts],
            region=debtor.region,
            timezone=debtor.timezone,
            jurisdiction=debtor.jurisdiction,
        ),
        account=AccountView(
            account_id=account.id,
            loan_ref=account.loan_ref,
            product=account.product,
            currency=account.currency,
            bucket=account.bucket,
            overdue=account.overdue,
            outstanding=account.outstanding,
            days_past_due=account.days_past_due,
        ),
        segment=_segment_view(session, account.id, account.bucket, transfer.segment),
        # The robot's lines are masked by the dialogue engine; every turn is decrypted on read.
        transcript=[
            TurnView(seq=t.seq, speaker=t.speaker, text=t.text, at=t.at)
            for t in repository.turns(session, attempt.id)
        ],
        promises=[
            PromiseView(amount=p.amount, due_date=p.due_date, status=p.status)
            for p in repository.promises(session, account.id)
        ],
        plans=[
            PlanView(
                terms=p.terms,
                amount_per_term=p.amount_per_term,
                waiver=p.waiver,
                first_due=p.first_due,
                status=p.status,
            )
            for p in repository.plans(session, account.id)
        ],
        plan_bounds=plan_bounds_view(account.outstanding, bounds),
    )
