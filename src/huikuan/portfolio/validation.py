"""Row validation: turn one row of text cells into a clean account, or into row errors.

Phone numbers are checked with `phonenumbers`; the 18-digit resident ID checksum (GB 11643) and
the region → dialect table are small rules of our own (no maintained library covers them).
Parsing a number with `phonenumbers` costs ~13 µs; a 100,000-row file has ~300,000 numbers, so
Chinese mobile numbers take a memoised path: their validity in `phonenumbers`' metadata depends
only on the first five digits and the length (pattern `1(?:610\\d|740[0-5])\\d{6}|1(?:…)\\d{8}`),
so the verdict for a 5-digit prefix is computed once by `phonenumbers` and reused (checked for
every prefix 13000–19999 when written; a test compares both paths on random numbers).
Reasons in errors are fixed texts: they never contain the value that was wrong.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import phonenumbers
from phonenumbers import timezone as phone_timezone

from huikuan.clock import is_known_zone
from huikuan.portfolio.buckets import DEFAULT_SCHEME, BucketScheme
from huikuan.portfolio.schemas import RowError
from huikuan.security.crypto import cipher
from huikuan.types import Relation, to_minor_units

# Fixed reasons (Chinese first, English too): they are counted per reason in the summary.
MISSING = "必填项为空 / required value missing"
BAD_PHONE = "电话号码无效 / invalid phone number"
UNSUPPORTED_PHONE = "仅支持中国和美国号码 / only CN and US numbers are supported"
BAD_ID_FORMAT = "身份证号格式错误 / ID number is not 18 characters"
BAD_ID_CHECKSUM = "身份证校验位错误 / ID number checksum is wrong"
BAD_ID_REGION = "身份证地区码无效 / ID number region code is unknown"
BAD_ID_BIRTH = "身份证出生日期无效 / ID number birth date is invalid"
MISSING_ID = "中国债务人须提供身份证号 / ID number is required for CN debtors"
BAD_AMOUNT = "金额格式错误 / not an amount"
NEGATIVE_AMOUNT = "金额为负 / negative amount"
HUGE_AMOUNT = "金额过大 / amount too large"
OVERDUE_GT_OUTSTANDING = "逾期金额大于剩余应还 / overdue amount exceeds outstanding"
BAD_DATE = "日期无效 / invalid date"
BAD_DPD = "逾期天数不是整数 / days past due is not a whole number"
DPD_MISMATCH = "逾期天数与到期日不符 / days past due does not match the due date"
DUPLICATE_LOAN = "文件内借据号重复 / loan_id repeated in the file"
TOO_LONG = "内容过长 / value too long"
BAD_JURISDICTION = "司法辖区须为 CN 或 US / jurisdiction must be CN or US"
BAD_TIMEZONE = "时区无效 / unknown timezone"
BAD_CONSENT = "AI语音同意须为 是/否 / ai_voice_consent must be yes or no"
CONSENT = dict.fromkeys(("yes", "y", "true", "1", "是", "同意"), True)
CONSENT |= dict.fromkeys(("no", "n", "false", "0", "否", "不同意"), False)
NO_TIMEZONE = "无法从号码确定时区，请填写时区 / timezone unknown for this number; fill the timezone column"
BAD_DIALECT = "方言无效 / unknown dialect"
BAD_CURRENCY = "币种无效 / unknown currency"
BAD_RELATION = "紧急联系人关系无效 / unknown emergency contact relation"

MAX_AMOUNT = 10**15  # minor units; far above any consumer loan, far below BIGINT
CN_TZ = "Asia/Shanghai"

# GB 11643-1999: weights of the first 17 digits and the check characters (ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# GB/T 2260 province-level codes (first two digits of an ID number).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip
_ID_RE = re.compile(r"^\d{17}[\dX]$")

HAKKA_AREAS = ("梅州", "河源", "惠州", "赣州", "龙岩", "meizhou", "heyuan", "huizhou", "ganzhou", "longyan")
YUE_AREAS = (
    "广东",
    "广西",
    "香港",
    "澳门",
    "guangdong",
    "guangxi",
    "hongkong",
    "hong kong",
    "macau",
    "macao",
)
DIALECTS = {
    "cmn": "cmn", "普通话": "cmn", "mandarin": "cmn",
    "yue": "yue", "粤语": "yue", "广东话": "yue", "cantonese": "yue",
    "hak": "hak", "客家话": "hak", "hakka": "hak",
    "en": "en", "英语": "en", "english": "en",
}  # fmt: skip
JURISDICTIONS = {"cn": "CN", "中国": "CN", "us": "US", "usa": "US", "美国": "US"}
CURRENCIES = {"cny": "CNY", "rmb": "CNY", "人民币": "CNY", "usd": "USD", "美元": "USD"}
RELATIONS = {
    "family": Relation.FAMILY, "emergency_contact": Relation.EMERGENCY_CONTACT,
    "父母": Relation.FAMILY, "父亲": Relation.FAMILY, "母亲": Relation.FAMILY,
    "配偶": Relation.FAMILY, "丈夫": Relation.FAMILY, "妻子": Relation.FAMILY,
    "老公": Relation.FAMILY, "老婆": Relation.FAMILY, "夫妻": Relation.FAMILY,
    "兄弟姐妹": Relation.FAMILY, "兄弟": Relation.FAMILY, "姐妹": Relation.FAMILY,
    "哥哥": Relation.FAMILY, "姐姐": Relation.FAMILY, "弟弟": Relation.FAMILY, "妹妹": Relation.FAMILY,
    "子女": Relation.FAMILY, "儿子": Relation.FAMILY, "女儿": Relation.FAMILY, "亲属": Relation.FAMILY,
    "parent": Relation.FAMILY, "spouse": Relation.FAMILY, "sibling": Relation.FAMILY,
    "child": Relation.FAMILY, "relative": Relation.FAMILY,
    "朋友": Relation.EMERGENCY_CONTACT, "同事": Relation.EMERGENCY_CONTACT,
    "同学": Relation.EMERGENCY_CONTACT, "其他": Relation.EMERGENCY_CONTACT,
    "紧急联系人": Relation.EMERGENCY_CONTACT, "friend": Relation.EMERGENCY_CONTACT,
    "colleague": Relation.EMERGENCY_CONTACT, "other": Relation.EMERGENCY_CONTACT,
}  # fmt: skip

_PHONE_JUNK = str.maketrans("", "", " -()（）.\u00a0\t")
_PHONE_SHAPE = re.compile(r"^\+?\d+$")
_FORMULA_STARTS = frozenset("=-@")
_CN_MOBILE = re.compile(r"^(?:\+86|0086|86)?(1\d{10})$")
_DATE_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_SERIAL_RE = re.compile(r"^(\d{5})(?:\.0+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST_DATE = date(1970, 1, 1)
_Err = Callable[[str, str], None]
LATEST_DATE = date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    region: str  # "CN" | "US"


@dataclass(slots=True)
class ValidContact:
    e164: str
    number_key: str
    relation: Relation
    name: str | None


@dataclass(slots=True)
class ValidRow:
    """One accepted row, ready to be written."""

    row: int
    loan_ref: str
    name: str
    national_id: str | None
    identity_key: str
    jurisdiction: str
    region: str | None
    dialect: str
    timezone: str
    other_timezones: tuple[str, ...]
    ai_voice_consent: bool
    product: str | None
    currency: str
    principal: int
    outstanding: int
    overdue: int
    due_date: date
    days_past_due: int  # signed: negative while not yet due
    bucket: str
    contacts: list[ValidContact] = field(default_factory=list)
    missing: tuple[str, ...] = ()  # optional columns left empty


def national_id_problem(value: str, as_of: date | None = None) -> str | None:
    """None when `value` is a well-formed 18-character resident ID number, else the reason."""
    value = value.upper()
    if not _ID_RE.match(value):
        return BAD_ID_FORMAT
    if value[:2] not in PROVINCE_CODES:
        return BAD_ID_REGION
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return BAD_ID_BIRTH
    if born.year < 1900 or born > (as_of or date.today()):
        return BAD_ID_BIRTH
    if id_check_char(value[:17]) != value[17]:
        return BAD_ID_CHECKSUM
    return None


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError("the check character needs exactly 17 digits")
    total = sum(map(operator.mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


_CN_MOBILE_PREFIX_VALID: dict[str, bool] = {}


def _cn_mobile_valid(national: str) -> bool:
    # The verdict for the first number seen with a 5-digit prefix holds for every 11-digit
    # number with that prefix (see the module docstring); at most 10^5 entries.
    prefix = national[:5]
    verdict = _CN_MOBILE_PREFIX_VALID.get(prefix)
    if verdict is None:
        try:
            verdict = bool(phonenumbers.is_valid_number(phonenumbers.parse(national, "CN")))
        except phonenumbers.NumberParseException:  # e.g. 179xx is taken for a carrier prefix
            verdict = False
        _CN_MOBILE_PREFIX_VALID[prefix] = verdict
    return verdict


def parse_phone(text: str, region: str | None = None) -> Phone | None:
    """A CN or US number in E.164, or None when invalid; `region` is the default country (CN)."""
    cleaned = text.translate(_PHONE_JUNK)
    if not _PHONE_SHAPE.match(cleaned) or text.lstrip()[:1] in _FORMULA_STARTS:
        # phonenumbers would dig a number out of any text, a spreadsheet formula included
        # (=HYPERLINK("http://…","138…")); a phone cell holds a number and nothing else.
        return None
    m = _CN_MOBILE.match(cleaned)
    if m and (len(cleaned) > 11 or region in (None, "CN")):
        national = m.group(1)
        return Phone("+86" + national, "CN") if _cn_mobile_valid(national) else None
    # Without a jurisdiction a national number is read as Chinese; US numbers then need +1.
    try:
        parsed = phonenumbers.parse(cleaned, region or "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    country = phonenumbers.region_code_for_number(parsed)
    if country not in ("CN", "US"):
        return None
    return Phone(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), country)


_US_ZONES: dict[str, tuple[str, ...]] = {}


def us_timezones(e164: str) -> tuple[str, ...]:
    """Every IANA zone a US number's area code and exchange may be in (empty when unknown)."""
    prefix = e164[:8]  # +1, area code, exchange: the longest prefix of the zone data
    if prefix not in _US_ZONES:
        zones = phone_timezone.time_zones_for_number(phonenumbers.parse(e164))
        _US_ZONES[prefix] = tuple(z for z in zones if z != phone_timezone.UNKNOWN_TIMEZONE)
    return _US_ZONES[prefix]


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, 2025年3月1日 or an Excel serial day number."""
    text = text.strip()
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    try:
        if m:
            value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        else:
            serial = _EXCEL_SERIAL_RE.match(text)
            if not serial:
                return None
            value = _EXCEL_EPOCH + timedelta(days=int(serial.group(1)))
    except ValueError:
        return None
    return value if EARLIEST_DATE <= value <= LATEST_DATE else None


def dialect_for_region(region: str | None, jurisdiction: str) -> str:
    """Hakka areas → hak, Guangdong/Guangxi/Hong Kong/Macau → yue, US → en, otherwise cmn."""
    if jurisdiction == "US":
        return "en"
    if not region:
        return "cmn"
    lowered = region.lower()
    if any(area in lowered for area in HAKKA_AREAS):
        return "hak"
    if any(area in lowered for area in YUE_AREAS):
        return "yue"
    return "cmn"


class RowValidator:
    """Validates rows of one file (as of one day); keeps the file-level duplicate check."""

    def __init__(self, as_of: date, scheme: BucketScheme = DEFAULT_SCHEME) -> None:
        self.as_of = as_of
        self.scheme = scheme
        self._loan_refs: set[str] = set()
        self._cipher = cipher()
        self._phone_key = self._cipher.blind_indexer("phone")
        self._national_id_key = self._cipher.blind_indexer("national_id")
        self._name_phone_key = self._cipher.blind_indexer("name_phone")

    def validate(self, row: int, cells: Mapping[str, str]) -> ValidRow | list[RowError]:
        """A `ValidRow`, or every error found in the row (one per column at most)."""
        errors: list[RowError] = []

        def err(column: str, reason: str) -> None:
            errors.append(RowError(row=row, column=column, reason=reason))

        stripped = {key: value.strip() for key, value in cells.items()}
        lookup = stripped.get

        def get(key: str) -> str:
            return lookup(key, "")

        missing = tuple(k for k in _OPTIONAL_TRACKED if not get(k))

        loan_ref = get("loan_id")
        if not loan_ref:
            err("loan_id", MISSING)
        elif len(loan_ref) > 64:
            err("loan_id", TOO_LONG)
        elif loan_ref in self._loan_refs:
            err("loan_id", DUPLICATE_LOAN)
        if loan_ref:
            self._loan_refs.add(loan_ref)

        name = get("name")
        if not name:
            err("name", MISSING)
        elif len(name) > 100:
            err("name", TOO_LONG)

        jurisdiction: str | None = None
        if get("jurisdiction"):
            jurisdiction = JURISDICTIONS.get(get("jurisdiction").lower())
            if jurisdiction is None:
                err("jurisdiction", BAD_JURISDICTION)

        primary: Phone | None = None
        if not get("phone"):
            err("phone", MISSING)
        else:
            primary = parse_phone(get("phone"), jurisdiction)
            if primary is None:
                err("phone", BAD_PHONE)
        if jurisdiction is None and primary is not None:
            jurisdiction = primary.region
        region_default = jurisdiction or "CN"

        national_id: str | None = get("id_number").upper() or None
        if national_id is None:
            if region_default == "CN":
                err("id_number", MISSING_ID)
        elif region_default == "CN":
            problem = national_id_problem(national_id, self.as_of)
            if problem:
                err("id_number", problem)
        elif len(national_id) > 64:
            err("id_number", TOO_LONG)

        contacts: list[ValidContact] = []
        seen_numbers: set[str] = set()

        def add_contact(phone: Phone, relation: Relation, contact_name: str | None) -> None:
            if phone.e164 in seen_numbers:
                return
            seen_numbers.add(phone.e164)
            key = self._phone_key(phone.e164)
            contacts.append(ValidContact(phone.e164, key, relation, contact_name))

        if primary is not None:
            add_contact(primary, Relation.SELF, None)
        for key, relation in (
            ("phone2", Relation.SELF),
            ("emergency_phone", Relation.EMERGENCY_CONTACT),
            ("employer_phone", Relation.EMPLOYER),
        ):
            text = get(key)
            if not text:
                continue
            phone = parse_phone(text, region_default)
            if phone is None:
                err(key, BAD_PHONE)
                continue
            if relation == Relation.EMERGENCY_CONTACT:
                relation_text = get("emergency_relation")
                if relation_text:
                    mapped = RELATIONS.get(relation_text.lower())
                    if mapped is None:
                        err("emergency_relation", BAD_RELATION)
                        continue
                    relation = mapped
                contact_name = get("emergency_name") or None
                if contact_name and len(contact_name) > 100:
                    err("emergency_name", TOO_LONG)
                    continue
                add_contact(phone, relation, contact_name)
            else:
                add_contact(phone, relation, None)

        region = get("region") or None
        if region and len(region) > 100:
            err("region", TOO_LONG)
        dialect_text = get("dialect")
        if dialect_text:
            dialect = DIALECTS.get(dialect_text.lower(), "")
            if not dialect:
                err("dialect", BAD_DIALECT)
        else:
            dialect = dialect_for_region(region, region_default)

        # Every zone the debtor may be in: the given one and, for US numbers, each own number's
        # area-code zones (Reg F: the time must suit every candidate, comment 6(b)(1)(i)).
        zone = get("timezone")
        candidates: list[str] = []
        if zone and not is_known_zone(zone):
            err("timezone", BAD_TIMEZONE)
        elif zone:
            candidates.append(zone)
        if region_default == "CN":
            candidates = candidates or [CN_TZ]
        else:
            for c in contacts:
                if c.relation == Relation.SELF and c.e164.startswith("+1"):
                    candidates.extend(us_timezones(c.e164))
            if not candidates and primary is not None:
                err("timezone", NO_TIMEZONE)
        zones = tuple(dict.fromkeys(candidates))

        consent_text = get("ai_voice_consent").lower()
        consent = CONSENT.get(consent_text) if consent_text else False
        if consent is None:
            err("ai_voice_consent", BAD_CONSENT)

        product = get("product") or None
        if product and len(product) > 100:
            err("product", TOO_LONG)
        currency_text = get("currency")
        currency = "USD" if region_default == "US" else "CNY"
        if currency_text:
            currency = CURRENCIES.get(currency_text.lower(), "")
            if not currency:
                err("currency", BAD_CURRENCY)

        outstanding = self._amount(get("outstanding"), "outstanding", err, required=True)
        overdue = self._amount(get("overdue_amount"), "overdue_amount", err, required=True)
        principal = self._amount(get("principal"), "principal", err, required=False)
        if outstanding is not None and overdue is not None and overdue > outstanding:
            err("overdue_amount", OVERDUE_GT_OUTSTANDING)

        due_text = get("due_date")
        due: date | None = None
        if not due_text:
            err("due_date", MISSING)
        else:
            due = parse_date(due_text)
            if due is None:
                err("due_date", BAD_DATE)
        dpd = (self.as_of - due).days if due is not None else 0
        dpd_text = get("days_past_due")
        if dpd_text:
            given = _whole_number(dpd_text)
            if given is None:
                err("days_past_due", BAD_DPD)
            elif due is not None and abs(given - max(dpd, 0)) > 1:
                err("days_past_due", DPD_MISMATCH)

        # The None checks only narrow types: each None above already produced an error.
        if errors or due is None or outstanding is None or overdue is None or primary is None:
            return errors
        if national_id:
            identity_key = self._national_id_key(national_id)
        else:
            identity_key = self._name_phone_key(f"{name}\x00{primary.e164}")
        return ValidRow(
            row=row,
            loan_ref=loan_ref,
            name=name,
            national_id=national_id,
            identity_key=identity_key,
            jurisdiction=region_default,
            region=region,
            dialect=dialect,
            timezone=zones[0] if zones else "",
            other_timezones=zones[1:],
            ai_voice_consent=bool(consent),
            product=product,
            currency=currency,
            principal=outstanding if principal is None else principal,
            outstanding=outstanding,
            overdue=overdue,
            due_date=due,
            days_past_due=dpd,
            bucket=self.scheme.bucket(dpd),
            contacts=contacts,
            missing=missing,
        )

    @staticmethod
    def _amount(text: str, column: str, err: _Err, *, required: bool) -> int | None:
        if not text:
            if required:
                err(column, MISSING)
            return None
        try:
            value = to_minor_units(text)
        except ValueError:
            err(column, BAD_AMOUNT)
            return None
        if value < 0:
            err(column, NEGATIVE_AMOUNT)
            return None
        if value > MAX_AMOUNT:
            err(column, HUGE_AMOUNT)
            return None
        return value


def _whole_number(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not value.is_integer():
        return None
    return int(value)


_OPTIONAL_TRACKED = (
    "id_number",
    "phone2",
    "region",
    "product",
    "principal",
    "days_past_due",
    "emergency_name",
    "emergency_phone",
    "emergency_relation",
    "employer_phone",
)
