"""The profiling service: refresh every open account's profile, read one, record a decision.

Cadence: profiles are recomputed in one batch at the end of each calling day (the simulator's day
end calls `refresh`; in production `huikuan profile refresh` runs nightly from cron or a timer),
because the evidence that moves a segment arrives with calls and one refresh a day is what the
next day's treatments read. A profile is never updated mid-call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from huikuan.outcomes import service as outcomes_service
from huikuan.portfolio import service as portfolio_service
from huikuan.profiling import learned, propensity, repository
from huikuan.profiling.features import (
    FEATURE_VERSION,
    AccountRow,
    AttemptRow,
    ContactRow,
    Features,
    History,
    PromiseRow,
    best_hours,
    commitments_between,
    compute,
    feature_names,
    vector,
)
from huikuan.profiling.segments import Segment, Verdict, by_rules

# The propensity label: a commitment to pay (PTP, plan, payment) within this long of the features.
HORIZON = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ProfileRead:
    """What the strategy, the dialer and the screen pop read of an account's profile."""

    account_id: int
    computed_at: datetime
    feature_version: str
    segment: Segment
    source: str
    confidence: float
    explanation_zh: str
    explanation_en: str
    best_hours: list[int]
    propensity: float | None
    propensity_version: str | None
    promises_broken: int = 0  # for the strategy's escalation to a person
    days_worked: int = 0  # days since the first attempt: the human checkpoint

    @property
    def strategy_segment(self) -> str | None:
        """The segment the strategy table is given: None when there is nothing to act on."""
        return None if self.segment in (Segment.UNKNOWN, Segment.NEW) else self.segment.value


@dataclass(frozen=True, slots=True)
class RefreshResult:
    at: datetime
    accounts: int
    segments: dict[str, int]
    by_model: int  # segments the learned model decided (the rules said unknown)
    propensity_version: str | None


def load_histories(session: Session, until: datetime) -> list[History]:
    """Every open account's history before `until` (through the portfolio and outcomes services)."""
    accounts, contacts, payments = portfolio_service.profiling_facts(session, until)
    record = outcomes_service.history_until(session, until)
    by_account: dict[int, History] = {}
    by_debtor: dict[int, list[History]] = {}
    for a in accounts:
        h = History(
            AccountRow(
                a.account_id,
                a.debtor_id,
                a.bucket,
                a.days_past_due,
                a.as_of.toordinal(),
                a.principal,
                a.outstanding,
                a.overdue,
                a.timezone,
                a.has_national_id,
                a.has_region,
            )
        )
        by_account[a.account_id] = h
        by_debtor.setdefault(a.debtor_id, []).append(h)
    for c in contacts:
        for one in by_debtor.get(c.debtor_id, ()):
            one.contacts.append(ContactRow(c.contact_id, c.relation, c.status))
    for t in record.attempts:
        if (ha := by_account.get(t.account_id)) is not None:
            ha.attempts.append(
                AttemptRow(t.contact_id, t.started_at, t.outcome, t.conversation, t.disposition)
            )
    for i in record.intents:
        if (hi := by_account.get(i.account_id)) is not None:
            hi.intents.append((i.intent, i.at))
    for p in record.promises:
        if (hp := by_account.get(p.account_id)) is not None:
            hp.promises.append(PromiseRow(p.created_at, p.due_date.toordinal(), p.status))
    for pay in payments:
        if (hy := by_account.get(pay.account_id)) is not None:
            hy.payments.append((pay.amount, pay.paid_at))
    return list(by_account.values())


def segment_all(features: Sequence[Features]) -> list[Verdict]:
    """Rules first; the learned model (trained on the rules' confident verdicts) for the rest."""
    verdicts = [by_rules(f) for f in features]
    confident = [
        (f, v.segment)
        for f, v in zip(features, verdicts, strict=True)
        if v.segment not in (Segment.UNKNOWN, Segment.NEW)
    ]
    model = learned.train(confident, feature_names())
    if model is None:
        return verdicts
    return [
        model.verdict(f)
        if v.segment == Segment.UNKNOWN and not v.contradictory and f["right_party"] > 0
        else v
        for f, v in zip(features, verdicts, strict=True)
    ]


def propensity_rows(
    histories: Sequence[History], start: datetime, end: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """Training rows for the window [start, end): features as of `start` of the accounts
    attempted in the window, labelled 1 when they committed to pay in it (no event at or after
    `start` reaches the features)."""
    names = feature_names()
    xs, ys = [], []
    for h in histories:
        attempted, committed = commitments_between(h, start, end)
        if attempted:
            xs.append(vector(compute(h, start), names))
            ys.append(int(committed))
    return np.array(xs, dtype=np.float64).reshape(len(xs), len(names)), np.array(ys, dtype=np.int64)


def train_propensity(
    session: Session, histories: Sequence[History], at: datetime
) -> propensity.PropensityModel | None:
    """The propensity model on the last `HORIZON` before `at` (stored with its version), if it can learn."""
    cutoff = at - HORIZON
    x, y = propensity_rows(histories, cutoff, at)
    if len(y) == 0:
        return None
    model = propensity.fit(x, y, feature_names(), propensity.version_of(FEATURE_VERSION, cutoff, x, y))
    if model is not None:
        repository.add_model(
            session,
            {
                "version": model.version,
                "kind": "propensity",
                "trained_at": at,
                "rows": model.trained_rows,
                "positives": model.trained_positives,
                "details": {
                    "features_at": cutoff.isoformat(),
                    "label_window": [cutoff.isoformat(), at.isoformat()],
                    "label": "commitment to pay (PTP, plan or payment) among accounts attempted",
                },
            },
        )
    return model


def refresh(session: Session, at: datetime) -> RefreshResult:
    """Recompute every open account's profile as of `at` (the caller commits)."""
    histories = load_histories(session, at)
    features = [compute(h, at) for h in histories]
    verdicts = segment_all(features)
    model = train_propensity(session, histories, at)
    scores: list[float | None] = [None] * len(features)
    if model is not None and features:
        names = feature_names()
        scores = [round(float(p), 4) for p in model.predict(np.array([vector(f, names) for f in features]))]
    rows = []
    for h, f, v, score in zip(histories, features, verdicts, scores, strict=True):
        zh, en = v.explanation()
        rows.append(
            {
                "account_id": h.account.account_id,
                "debtor_id": h.account.debtor_id,
                "computed_at": at,
                "feature_version": FEATURE_VERSION,
                "features": {
                    "values": f.values,
                    "reach_by_hour": {str(k): list(c) for k, c in f.reach_by_hour.items()},
                    "reach_by_contact": {str(k): list(c) for k, c in f.reach_by_contact.items()},
                },
                "segment": v.segment.value,
                "segment_source": v.source,
                "segment_confidence": v.confidence,
                "explanation_zh": zh,
                "explanation_en": en,
                "best_hours": best_hours(f.reach_by_hour),
                "propensity": score,
                "propensity_version": model.version if model is not None else None,
            }
        )
    repository.replace_profiles(session, rows)
    return RefreshResult(
        at=at,
        accounts=len(rows),
        segments=dict(Counter(v.segment.value for v in verdicts)),
        by_model=sum(1 for v in verdicts if v.source == "model" and v.segment != Segment.UNKNOWN),
        propensity_version=model.version if model is not None else None,
    )


def profile_of(session: Session, account_id: int) -> ProfileRead | None:
    """The account's latest profile, or None before the first refresh."""
    row = repository.profile(session, account_id)
    if row is None:
        return None
    return ProfileRead(
        account_id=row.account_id,
        computed_at=row.computed_at,
        feature_version=row.feature_version,
        segment=Segment(row.segment),
        source=row.segment_source,
        confidence=row.segment_confidence,
        explanation_zh=row.explanation_zh,
        explanation_en=row.explanation_en,
        best_hours=list(row.best_hours),
        propensity=row.propensity,
        propensity_version=row.propensity_version,
        promises_broken=int(row.features.get("promises_broken", 0)),
        days_worked=int(row.features.get("days_since_first_attempt", 0)),
    )


def record_decision(
    session: Session,
    *,
    attempt_id: int,
    account_id: int,
    at: datetime,
    bucket: str,
    treatment: str,
    script: str,
    profile: ProfileRead | None,
    strategy_version_id: int | None = None,
    strategy_reason: str | None = None,
    experiment_arm: str | None = None,
) -> None:
    """Store which treatment an attempt ran, the strategy version and rule that chose it, and the
    profile (segment, versions) it was decided on."""
    repository.add_decision(
        session,
        {
            "attempt_id": attempt_id,
            "account_id": account_id,
            "decided_at": at,
            "bucket": bucket,
            "segment": profile.segment.value if profile is not None else None,
            "treatment": treatment,
            "script": script,
            "feature_version": profile.feature_version if profile is not None else None,
            "profile_computed_at": profile.computed_at if profile is not None else None,
            "propensity": profile.propensity if profile is not None else None,
            "propensity_version": profile.propensity_version if profile is not None else None,
            "strategy_version_id": strategy_version_id,
            "strategy_reason": strategy_reason[:64] if strategy_reason else None,
            "experiment_arm": experiment_arm,
        },
    )


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    """What a report needs of an attempt's treatment decision."""

    attempt_id: int
    bucket: str
    segment: str | None
    treatment: str
    script: str


def decisions_for(session: Session, attempt_ids: Sequence[int]) -> dict[int, DecisionFacts]:
    """The treatment decisions of `attempt_ids` (read in chunks), keyed by attempt id."""
    found: dict[int, DecisionFacts] = {}
    ids = sorted(set(attempt_ids))
    for i in range(0, len(ids), 500):
        for d in repository.decisions_for(session, ids[i : i + 500]):
            found[d.attempt_id] = DecisionFacts(d.attempt_id, d.bucket, d.segment, d.treatment, d.script)
    return found
