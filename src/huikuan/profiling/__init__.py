"""Profiling: features from each account's history, its segment with an explanation, and the
calibrated propensity to pay; other packages use `huikuan.profiling.service`."""
