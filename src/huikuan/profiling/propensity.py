"""Propensity to pay: a calibrated classifier trained on the past, judged on the later window.

The same functions fit the model on the simulator's call history (`service.refresh`) and on
public credit data (bench/profiling_public.py), so the figures in docs/profiling.md are of this
code. Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier) rank; calibration
(`CalibratedClassifierCV`: isotonic with enough rows, sigmoid below) makes the score a
probability an operator may read as one. A model's version names the feature set, the training
cut-off and a hash of its training data, and is stored with every decision that used it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss, roc_auc_score

MIN_ROWS = 40  # below this (or with a class under MIN_POSITIVES) no model is trained
MIN_POSITIVES = 8
ISOTONIC_FROM = 1000  # isotonic calibration needs rows; a sigmoid is steadier below this


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    low: float
    high: float
    rows: int
    predicted: float  # mean predicted probability in the bin
    observed: float  # share of positives in the bin


@dataclass(frozen=True, slots=True)
class Evaluation:
    rows: int
    positives: int
    auc: float | None  # None when the window holds one class only
    brier: float
    calibration: tuple[CalibrationBin, ...]


@dataclass
class PropensityModel:
    version: str
    names: list[str]
    model: CalibratedClassifierCV
    trained_rows: int
    trained_positives: int

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of paying, one per row."""
        return np.asarray(self.model.predict_proba(x)[:, 1])


def version_of(prefix: str, cutoff: datetime | str, x: np.ndarray, y: np.ndarray) -> str:
    """`ptp-f1-20260311T0000-1a2b3c4d`: the feature set, the cut-off and the training data's hash."""
    digest = hashlib.sha256(np.ascontiguousarray(x, dtype=np.float64).tobytes() + y.astype(np.int8).tobytes())
    stamp = cutoff.strftime("%Y%m%dT%H%M") if isinstance(cutoff, datetime) else cutoff
    return f"ptp-{prefix}-{stamp}-{digest.hexdigest()[:8]}"


def fit(
    x: np.ndarray, y: np.ndarray, names: Sequence[str], version: str, *, seed: int = 0
) -> PropensityModel | None:
    """A calibrated model on (x, y), or None with too few rows or positives to learn from."""
    positives = int(y.sum())
    if len(y) < MIN_ROWS or min(positives, len(y) - positives) < MIN_POSITIVES:
        return None
    folds = int(min(5, positives, len(y) - positives))
    base = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.08, max_leaf_nodes=15, random_state=seed
    )
    method = "isotonic" if len(y) >= ISOTONIC_FROM else "sigmoid"
    model = CalibratedClassifierCV(base, method=method, cv=folds).fit(x, y)
    return PropensityModel(version, list(names), model, len(y), positives)


def evaluate(probabilities: np.ndarray, y: np.ndarray, *, bins: int = 10) -> Evaluation:
    """AUC, Brier score and a calibration table by equal-width probability bins (empty bins left out)."""
    table = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for i in range(bins):
        low, high = edges[i], edges[i + 1]
        inside = (probabilities >= low) & (
            (probabilities < high) if i < bins - 1 else (probabilities <= high)
        )
        if inside.any():
            table.append(
                CalibrationBin(
                    round(float(low), 2),
                    round(float(high), 2),
                    int(inside.sum()),
                    round(float(probabilities[inside].mean()), 4),
                    round(float(y[inside].mean()), 4),
                )
            )
    both = 0 < y.sum() < len(y)
    return Evaluation(
        rows=len(y),
        positives=int(y.sum()),
        auc=round(float(roc_auc_score(y, probabilities)), 4) if both else None,
        brier=round(float(brier_score_loss(y, probabilities)), 4),
        calibration=tuple(table),
    )
