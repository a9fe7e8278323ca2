"""The learned segment model: speaks only where the rules said "unknown", and only when sure.

There is no ground truth of segments in production (nobody tells us who is "really" forgetful),
so the model learns from the rules' own confident verdicts (weak supervision) and generalises to
debtors whose evidence is thinner than a rule demands: one hardship remark, one promise. A
multinomial logistic regression on standardised features (scikit-learn) is used because its
per-feature contributions (coefficient × standardised value) are the explanation an agent reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from huikuan.profiling.features import Features, vector
from huikuan.profiling.segments import Reason, Segment, Verdict, citable

# What people said decides these; unreachable is a fact of the lines, left to the rule alone.
LEARNED = frozenset(
    {Segment.FORGETFUL, Segment.HARDSHIP, Segment.UNWILLING, Segment.ABUSIVE, Segment.DISPUTING}
)
SURE = 0.9  # below this the verdict stays unknown: never a confident misjudgment
MIN_ROWS = 30  # rule-labelled debtors needed before the model is trained at all
MIN_PER_CLASS = 5


def said_or_did(name: str) -> bool:
    """The model reads what the debtor said and did, not how often we called: counts of attempts
    and answers taught it that "answered quickly" means abusive (abusive calls are short)."""
    return name.startswith(("intent_", "disp_", "promises_"))


@dataclass
class SegmentModel:
    names: list[str]
    scaler: StandardScaler
    model: LogisticRegression
    trained_on: int

    def verdict(self, features: Features) -> Verdict:
        """The model's segment for `features`, or unknown when it is less than `SURE`."""
        x = self.scaler.transform(np.array([vector(features, self.names)]))
        probs = self.model.predict_proba(x)[0]
        best = int(np.argmax(probs))
        segment = Segment(str(self.model.classes_[best]))
        contributions = self.model.coef_[best] * x[0] if len(self.model.classes_) > 2 else None
        if contributions is None:  # binary: one coefficient row, signed for classes_[1]
            sign = 1.0 if best == 1 else -1.0
            contributions = sign * self.model.coef_[0] * x[0]
        order = [int(i) for i in np.argsort(-contributions)]
        reasons = tuple(
            Reason(self.names[i], features[self.names[i]])
            for i in order
            if contributions[i] > 0 and features[self.names[i]] != 0 and citable(self.names[i])
        )[:3]
        confidence = round(float(probs[best]), 2)
        if confidence < SURE or not reasons:
            return Verdict(Segment.UNKNOWN, "model", confidence, reasons)
        return Verdict(segment, "model", confidence, reasons)


def train(rows: Sequence[tuple[Features, Segment]], names: Sequence[str]) -> SegmentModel | None:
    """A model from rule-labelled rows, or None when there are too few or only one class."""
    counts = Counter(seg for _, seg in rows)
    kept = [(f, s) for f, s in rows if counts[s] >= MIN_PER_CLASS and s in LEARNED]
    if len(kept) < MIN_ROWS or len({s for _, s in kept}) < 2:
        return None
    used = [n for n in names if said_or_did(n)]
    x = np.array([vector(f, used) for f, _ in kept])
    y = np.array([s.value for _, s in kept])
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(max_iter=1000, C=0.5).fit(scaler.transform(x), y)
    return SegmentModel(used, scaler, model, len(kept))
