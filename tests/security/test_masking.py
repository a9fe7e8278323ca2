from __future__ import annotations

from huikuan.security.masking import mask_name, mask_national_id, mask_phone


def test_phone_keeps_prefix_and_last_four() -> None:
    assert mask_phone("+8613800000000") == "+86138****0000"
    assert mask_phone("+12025550143") == "+120****0143"
    assert mask_phone("95588") == "***88"


def test_names_keep_only_initials() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_name("") == ""


def test_national_id_keeps_first_three_and_last_two() -> None:
    assert mask_national_id("11010519491231002X") == "110" + "*" * 13 + "2X"
    assert mask_national_id("1234") == "****"
