from __future__ import annotations

from datetime import date, timedelta

import pytest

from huikuan.portfolio.buckets import BucketScheme, bucket_for

AS_OF = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (-4, "current"),
        (-3, "M0"),
        (0, "M0"),
        (1, "M1"),
        (30, "M1"),
        (31, "M2"),
        (60, "M2"),
        (61, "M3"),
        (90, "M3"),
        (91, "M4"),
        (120, "M4"),
        (121, "M5"),
        (150, "M5"),
        (151, "M6"),
        (180, "M6"),
        (181, "M6+"),
        (5000, "M6+"),
    ],
)
def test_bucket_boundaries(dpd: int, bucket: str) -> None:
    assert bucket_for(AS_OF - timedelta(days=dpd), AS_OF) == bucket


def test_custom_scheme_and_ranges() -> None:
    scheme = BucketScheme(reminder_days=1, limits=(("M1", 10),), beyond="M1+")
    assert scheme.bucket(-2) == "current"
    assert scheme.bucket(-1) == "M0"
    assert scheme.bucket(10) == "M1"
    assert scheme.bucket(11) == "M1+"
    assert BucketScheme().days_range("M2") == (31, 60)
    assert BucketScheme().days_range("M6+") == (181, None)
    with pytest.raises(ValueError, match="increase"):
        BucketScheme(limits=(("M1", 30), ("M2", 20)))
