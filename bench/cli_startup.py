"""CPU seconds (user + system) of `huikuan --help` in a fresh interpreter, median of 5 runs: one JSON line."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys

RUNS = 5


def cpu_of_help() -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "huikuan", "--help"], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    samples = [cpu_of_help() for _ in range(RUNS)]
    print(
        json.dumps(
            {
                "bench": "cli_startup",
                "command": "huikuan --help",
                "runs": RUNS,
                "cpu_seconds_median": round(statistics.median(samples), 3),
                "cpu_seconds_min": round(min(samples), 3),
                "cpu_seconds_max": round(max(samples), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
