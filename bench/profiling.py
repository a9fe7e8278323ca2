"""Profiling measured on simulated history: segments against the hidden personas and the
propensity model on a later window than it was trained on. Prints one JSON line.

A synthetic portfolio is called for --days virtual days (the production worker, the simulated
carrier and debtors; each day's end refreshes every profile as production does nightly). Then:
- segments of the last refresh against each debtor's persona (the truth only `sim` holds):
  coverage, precision of the segments given, recall per persona, the confusion matrix;
- propensity: trained on features at the end of day D-2 labelled by day D-1's calls, judged on
  features at the end of day D-1 labelled by day D's calls (a later window, never seen);
- the treatments the dialer chose per day (the segment-driven ones appear from day 2).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from huikuan.cli.demo import approve_shipped_scripts
from huikuan.db import make_engine, session_scope
from huikuan.db.migrate import upgrade
from huikuan.dialer.campaigns import CampaignCreate, create_campaign
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.profiling import propensity, service
from huikuan.profiling.features import FEATURE_VERSION, feature_names
from huikuan.profiling.models import AccountProfile, TreatmentDecision
from huikuan.security import crypto
from huikuan.sim.models import SimPersona
from huikuan.sim.service import create_portfolio

SH = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 3, 10)
# The segment each persona should get (a third party always answering reads as unreachable).
EXPECTED = {
    "forgetful": "forgetful",
    "hardship": "hardship",
    "unwilling": "unwilling",
    "disputing": "disputing",
    "abusive": "abusive",
    "unreachable": "unreachable",
    "third_party_answers": "unreachable",
}


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), clock_time(0), tzinfo=SH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--robots", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.days < 3:
        parser.error("--days must be at least 3 (train window, later window)")
    crypto.configure(bytes(range(32)))  # a throwaway key for a throwaway database
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        with session_scope(engine) as s:
            batch_id = create_portfolio(
                s, accounts=args.accounts, seed=args.seed, as_of=FIRST_DAY, jurisdiction="CN"
            )
            approve_shipped_scripts(s, datetime.now(UTC))
        days = [FIRST_DAY + timedelta(days=d) for d in range(args.days)]
        for n, day in enumerate(days):
            with session_scope(engine) as s:
                campaign_id = create_campaign(
                    s,
                    CampaignCreate(
                        name=f"day {n + 1}",
                        batch_id=batch_id,
                        robots=args.robots,
                        ends_at=datetime.combine(day, clock_time(22), tzinfo=SH),
                    ),
                    now=datetime.combine(day, clock_time(7), tzinfo=SH),
                ).id
            run_virtual_day(engine, VirtualDay(campaign_id, day, lines=args.robots, seed=args.seed + n))
        with session_scope(engine) as s:
            truth = dict(s.execute(select(SimPersona.debtor_id, SimPersona.persona)).all())
            profiles = list(s.scalars(select(AccountProfile)))
            pairs = [(EXPECTED[truth[p.debtor_id]], p.segment, p.segment_source) for p in profiles]
            decisions = s.execute(
                select(
                    func.date(TreatmentDecision.decided_at), TreatmentDecision.treatment, func.count()
                ).group_by(func.date(TreatmentDecision.decided_at), TreatmentDecision.treatment)
            ).all()
            versions = s.scalars(
                select(func.count(func.distinct(TreatmentDecision.propensity_version)))
            ).one()
            histories = service.load_histories(s, end_of(days[-1]))
        engine.dispose()
    segments = segment_figures(pairs)
    names = feature_names()
    train_x, train_y = service.propensity_rows(histories, end_of(days[-3]), end_of(days[-2]))
    test_x, test_y = service.propensity_rows(histories, end_of(days[-2]), end_of(days[-1]))
    model = propensity.fit(
        train_x, train_y, names, propensity.version_of(FEATURE_VERSION, end_of(days[-3]), train_x, train_y)
    )
    later = propensity.evaluate(model.predict(test_x), test_y) if model is not None else None
    treatments: dict[str, dict[str, int]] = {}
    for day_text, treatment, count in decisions:
        treatments.setdefault(str(day_text), {})[treatment] = count
    print(
        json.dumps(
            {
                "bench": "profiling",
                "accounts": args.accounts,
                "days": args.days,
                "robots": args.robots,
                "seed": args.seed,
                "segments": segments,
                "propensity": {
                    "train_rows": len(train_y),
                    "train_positives": int(train_y.sum()),
                    "test_rows": len(test_y),
                    "test_positives": int(test_y.sum()),
                    "auc_later_window": later.auc if later else None,
                    "brier_later_window": later.brier if later else None,
                    "calibration_later_window": [
                        [b.low, b.high, b.rows, b.predicted, b.observed] for b in later.calibration
                    ]
                    if later
                    else None,
                    "label": "commitment to pay (PTP, plan, payment) in the window, accounts called in it",
                },
                "treatments_by_day": treatments,
                "propensity_versions_in_decisions": versions,
                "wall_seconds": round(time.perf_counter() - began, 1),
            },
            ensure_ascii=False,
        )
    )


def segment_figures(pairs: list[tuple[str, str, str]]) -> dict[str, object]:
    """Coverage, precision of the segments given, recall per persona, and the confusion matrix."""
    decided = [(t, s, src) for t, s, src in pairs if s not in ("unknown", "new")]
    confusion: dict[str, dict[str, int]] = {}
    for t, s, _ in pairs:
        row = confusion.setdefault(t, {})
        row[s] = row.get(s, 0) + 1
    per_segment = {}
    for seg in sorted({s for _, s, _ in decided}):
        given = [t for t, s, _ in decided if s == seg]
        per_segment[seg] = {
            "given": len(given),
            "precision": round(sum(t == seg for t in given) / len(given), 3),
        }
    recall = {}
    for truth in sorted({t for t, _, _ in pairs}):
        rows = [s for t, s, _ in pairs if t == truth]
        recall[truth] = {"debtors": len(rows), "recall": round(sum(s == truth for s in rows) / len(rows), 3)}
    by_source = Counter(src for _, _, src in decided)
    model_right = sum(1 for t, s, src in decided if src == "model" and t == s)
    return {
        "debtors": len(pairs),
        "coverage": round(len(decided) / len(pairs), 3) if pairs else 0.0,
        "precision_when_given": round(sum(t == s for t, s, _ in decided) / len(decided), 3)
        if decided
        else None,
        "decided_by": dict(by_source),
        "model_precision": round(model_right / by_source["model"], 3) if by_source["model"] else None,
        "per_segment": per_segment,
        "recall_per_persona": recall,
        "confusion_persona_x_segment": confusion,
    }


if __name__ == "__main__":
    main()
