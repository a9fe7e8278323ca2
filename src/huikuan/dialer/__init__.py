"""Dialer: campaigns, robots (lines), pacing and retry rules; v1 runs a day in one process."""

from huikuan.dialer.day import DayResult, run_day

__all__ = ["DayResult", "run_day"]
