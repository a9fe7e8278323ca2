from __future__ import annotations

import random
from datetime import date

import phonenumbers
import pytest

from huikuan.portfolio import validation as v
from huikuan.portfolio.validation import RowValidator, ValidRow, national_id_problem, parse_phone

AS_OF = date(2026, 3, 10)
GOOD_ID = "11010119900307" + "001"
GOOD_ID += v.id_check_char(GOOD_ID)


def good_row(**changes: str) -> dict[str, str]:
    row = {
        "loan_id": "L1",
        "name": "张三",
        "id_number": GOOD_ID,
        "phone": "13800138000",
        "region": "广东省广州市",
        "outstanding": "10,000.50",
        "overdue_amount": "1000",
        "principal": "9000",
        "due_date": "2026-02-28",
    }
    row.update(changes)
    return row


def reasons(outcome: ValidRow | list[v.RowError]) -> dict[str, str]:
    assert isinstance(outcome, list), "row should have been rejected"
    return {e.column: e.reason for e in outcome}


def test_good_row_is_clean() -> None:
    row = RowValidator(AS_OF).validate(2, good_row())
    assert isinstance(row, ValidRow)
    assert row.outstanding == 1_000_050
    assert row.overdue == 100_000
    assert row.days_past_due == 10
    assert row.bucket == "M1"
    assert row.dialect == "yue"
    assert row.timezone == "Asia/Shanghai"
    assert row.jurisdiction == "CN"
    assert row.contacts[0].e164 == "+8613800138000"


def test_id_checksum_and_birth_date() -> None:
    assert national_id_problem(GOOD_ID, AS_OF) is None
    wrong = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
    assert national_id_problem(wrong, AS_OF) == v.BAD_ID_CHECKSUM
    bad_birth = "110101" + "19900230" + "001"
    assert national_id_problem(bad_birth + v.id_check_char(bad_birth), AS_OF) == v.BAD_ID_BIRTH
    future = "110101" + "20300101" + "001"
    assert national_id_problem(future + v.id_check_char(future), AS_OF) == v.BAD_ID_BIRTH
    assert national_id_problem("12345", AS_OF) == v.BAD_ID_FORMAT
    bad_region = "990101" + "19900307" + "001"
    assert national_id_problem(bad_region + v.id_check_char(bad_region), AS_OF) == v.BAD_ID_REGION
    assert reasons(RowValidator(AS_OF).validate(2, good_row(id_number=wrong))) == {
        "id_number": v.BAD_ID_CHECKSUM
    }
    assert reasons(RowValidator(AS_OF).validate(2, good_row(id_number=""))) == {"id_number": v.MISSING_ID}


def test_phone_numbers_cn_and_us() -> None:
    assert parse_phone("138 0013 8000") == v.Phone("+8613800138000", "CN")
    assert parse_phone("+86 138-0013-8000", "US") == v.Phone("+8613800138000", "CN")
    assert parse_phone("020-83561234", "CN") == v.Phone("+862083561234", "CN")
    assert parse_phone("(415) 234-5678", "US") == v.Phone("+14152345678", "US")
    assert parse_phone("4152345678", "US") == v.Phone("+14152345678", "US")
    assert parse_phone("+1 415 234 5678") == v.Phone("+14152345678", "US")
    assert parse_phone("12345678901") is None  # 120… is no CN mobile range
    assert parse_phone("12345") is None
    assert parse_phone("+44 20 7946 0958") is None  # valid, but not CN or US
    assert v.us_timezones("+14152345678") == ("America/Los_Angeles",)
    row = RowValidator(AS_OF).validate(2, good_row(phone="+1 (415) 234-5678", id_number="", region="CA"))
    assert isinstance(row, ValidRow)
    assert (row.jurisdiction, row.timezone, row.dialect, row.currency) == (
        "US",
        "America/Los_Angeles",
        "en",
        "USD",
    )
    assert reasons(RowValidator(AS_OF).validate(2, good_row(phone2="555"))) == {"phone2": v.BAD_PHONE}


def test_cn_mobile_fast_path_agrees_with_phonenumbers() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        national = f"1{rng.randint(3, 9)}{rng.randrange(10**9):09d}"
        try:
            expected = phonenumbers.is_valid_number(phonenumbers.parse(national, "CN"))
        except phonenumbers.NumberParseException:
            expected = False
        assert (parse_phone(national, "CN") is not None) == expected, national


def test_amounts() -> None:
    validator = RowValidator(AS_OF)
    assert reasons(validator.validate(2, good_row(outstanding="-5"))) == {"outstanding": v.NEGATIVE_AMOUNT}
    assert reasons(validator.validate(3, good_row(loan_id="L3", principal="abc"))) == {
        "principal": v.BAD_AMOUNT
    }
    assert reasons(validator.validate(4, good_row(loan_id="L4", overdue_amount="20000"))) == {
        "overdue_amount": v.OVERDUE_GT_OUTSTANDING
    }
    ok = validator.validate(5, good_row(loan_id="L5", outstanding="¥1,234.5", overdue_amount="0"))
    assert isinstance(ok, ValidRow)
    assert ok.outstanding == 123_450


@pytest.mark.parametrize("text", ["2026-02-28", "2026/02/28", "20260228", "2026/2/28", "46081"])
def test_date_formats(text: str) -> None:
    assert v.parse_date(text) == date(2026, 2, 28)


def test_bad_dates_and_dpd_tolerance() -> None:
    validator = RowValidator(AS_OF)
    assert reasons(validator.validate(2, good_row(due_date="2026-13-45"))) == {"due_date": v.BAD_DATE}
    for n, dpd in enumerate(("9", "10", "11")):
        assert isinstance(validator.validate(10 + n, good_row(loan_id=f"ok{n}", days_past_due=dpd)), ValidRow)
    for n, dpd in enumerate(("8", "12")):
        outcome = validator.validate(20 + n, good_row(loan_id=f"bad{n}", days_past_due=dpd))
        assert reasons(outcome) == {"days_past_due": v.DPD_MISMATCH}


def test_duplicate_loan_and_missing_name_and_relations() -> None:
    validator = RowValidator(AS_OF)
    assert isinstance(validator.validate(2, good_row()), ValidRow)
    assert reasons(validator.validate(3, good_row())) == {"loan_id": v.DUPLICATE_LOAN}
    assert reasons(validator.validate(4, good_row(loan_id="L4", name=""))) == {"name": v.MISSING}
    row = validator.validate(
        5,
        good_row(
            loan_id="L5",
            emergency_phone="13900139000",
            emergency_relation="配偶",
            employer_phone="020-83561234",
        ),
    )
    assert isinstance(row, ValidRow)
    assert [c.relation.value for c in row.contacts] == ["self", "family", "employer"]
    outcome = validator.validate(
        6, good_row(loan_id="L6", emergency_phone="13900139000", emergency_relation="猫")
    )
    assert reasons(outcome) == {"emergency_relation": v.BAD_RELATION}


def test_dialect_from_region() -> None:
    assert v.dialect_for_region("广东省梅州市", "CN") == "hak"
    assert v.dialect_for_region("广东省深圳市", "CN") == "yue"
    assert v.dialect_for_region("香港", "CN") == "yue"
    assert v.dialect_for_region("四川省成都市", "CN") == "cmn"
    assert v.dialect_for_region(None, "CN") == "cmn"
    assert v.dialect_for_region("CA", "US") == "en"


def test_reasons_never_contain_the_value() -> None:
    validator = RowValidator(AS_OF)
    values = good_row(
        phone="19999999", id_number="110101199003070000", outstanding="-77.7", due_date="2026-99-01"
    )
    outcome = validator.validate(2, values)
    assert isinstance(outcome, list)
    assert len(outcome) == 4
    for error in outcome:
        for value in values.values():
            assert value not in error.reason
