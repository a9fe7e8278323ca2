"""The blending benchmark runs end to end at a tiny size (its figures are measured, not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_blending_bench_prints_one_json_line_with_every_mode() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "blending.py"), "--agents", "3", "--hours", "0.2"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    modes = figures["modes"]
    assert set(modes) == {"predictive", "predictive_robot_overflow", "progressive"}
    for mode in modes.values():
        assert mode["transfers"] > 0
        assert 0 < mode["occupancy"] <= 1
        assert 0 < mode["pop_ms_p50"] <= mode["pop_ms_p95"]
        assert mode["answered"] == mode["transfers"] + mode["abandoned"] + mode["overflow_to_robots"]
    assert modes["progressive"]["abandoned"] == 0  # one call per free agent never strands one
    assert modes["predictive_robot_overflow"]["abandoned"] == 0
