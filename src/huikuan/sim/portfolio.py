"""Synthetic portfolios: deterministic rows in the import format, with hidden truths.

Rows use the English import headers (docs/import-format.md), so the real importer reads them;
the persona, temper and each number's `LineTruth` stay beside the row, never in it. Names, ID
numbers and phone numbers are fake but pass validation (ID checksums per GB 11643, numbers
accepted by `phonenumbers`); numbers and IDs are unique within one portfolio.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from huikuan.portfolio.buckets import DEFAULT_SCHEME
from huikuan.portfolio.validation import id_check_char, parse_phone
from huikuan.sim.personas import LineTruth, Persona

HEADER: tuple[str, ...] = (
    "loan_id",
    "name",
    "id_number",
    "phone",
    "phone2",
    "region",
    "jurisdiction",
    "product",
    "currency",
    "principal",
    "outstanding",
    "overdue_amount",
    "due_date",
    "days_past_due",
    "emergency_name",
    "emergency_phone",
    "emergency_relation",
    "employer_phone",
)
PHONE_COLUMNS = ("phone", "phone2", "emergency_phone", "employer_phone")

PERSONA_WEIGHTS: dict[Persona, int] = {
    Persona.FORGETFUL: 30,
    Persona.HARDSHIP: 20,
    Persona.UNWILLING: 15,
    Persona.DISPUTING: 7,
    Persona.ABUSIVE: 5,
    Persona.THIRD_PARTY_ANSWERS: 8,
    Persona.UNREACHABLE: 15,
}
BUCKET_WEIGHTS: dict[str, int] = {
    "M0": 8,
    "M1": 36,
    "M2": 22,
    "M3": 11,
    "M4": 8,
    "M5": 6,
    "M6": 5,
    "M6+": 4,
}
# (region, GB/T 2260 code prefix, area code of fixed lines, weight)
CN_REGIONS: tuple[tuple[str, str, str, int], ...] = (
    ("广东省广州市", "4401", "20", 8),
    ("广东省深圳市", "4403", "755", 8),
    ("广东省佛山市", "4406", "757", 4),
    ("广东省东莞市", "4419", "769", 4),
    ("广东省梅州市", "4414", "753", 3),
    ("广东省河源市", "4416", "762", 2),
    ("广西壮族自治区南宁市", "4501", "771", 3),
    ("北京市", "1101", "10", 6),
    ("上海市", "3101", "21", 6),
    ("四川省成都市", "5101", "28", 6),
    ("河南省郑州市", "4101", "371", 6),
    ("山东省济南市", "3701", "531", 5),
    ("江苏省南京市", "3201", "25", 5),
    ("浙江省杭州市", "3301", "571", 5),
    ("湖北省武汉市", "4201", "27", 5),
    ("湖南省长沙市", "4301", "731", 5),
    ("福建省福州市", "3501", "591", 3),
    ("河北省石家庄市", "1301", "311", 4),
    ("陕西省西安市", "6101", "29", 4),
    ("辽宁省沈阳市", "2101", "24", 3),
    ("安徽省合肥市", "3401", "551", 3),
    ("重庆市", "5001", "23", 4),
)
US_REGIONS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("CA", ("213", "415", "619", "916"), 8),
    ("NY", ("212", "718", "516"), 7),
    ("TX", ("214", "512", "713"), 7),
    ("FL", ("305", "407", "813"), 6),
    ("IL", ("312", "773"), 4),
    ("WA", ("206", "509"), 3),
    ("AZ", ("480", "602"), 3),
    ("CO", ("303", "719"), 2),
)
CN_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "177", "180", "181", "185", "186", "187",
    "188", "189", "199",
)  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力兰海鹏飞云宇浩凯俊"
    "晨欣怡婷雪琳佳颖子轩梓涵博瑞嘉"
)
US_FIRST = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Maria")
US_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Lopez", "Wilson")
PRODUCTS_CN = ("安心借", "随心贷", "快易花", "好分期")
PRODUCTS_US = ("EasyLoan", "FlexCredit")
CN_RELATIONS = ("父母", "配偶", "兄弟姐妹", "朋友", "同事")
US_RELATIONS = ("family", "emergency_contact")


@dataclass
class SyntheticRow:
    """One generated account: `cells` in the import format, and the hidden truths beside it."""

    cells: dict[str, str]
    persona: Persona
    temper: int  # 0 calm .. 3 explosive
    seed: int  # per-debtor PRNG seed for the simulated debtor
    lines: dict[str, LineTruth] = field(default_factory=dict)  # phone column → truth
    e164: dict[str, str] = field(default_factory=dict)  # phone column → E.164 (to match contacts)


class _Generator:
    def __init__(self, seed: int, as_of: date, jurisdiction: str) -> None:
        self.rng = random.Random(f"huikuan-portfolio:{seed}:{jurisdiction}")
        self.seed = seed
        self.as_of = as_of
        self.jurisdiction = jurisdiction
        self.numbers: set[str] = set()
        self.ids: set[str] = set()

    def row(self, index: int) -> SyntheticRow:
        rng = self.rng
        persona = rng.choices(list(PERSONA_WEIGHTS), list(PERSONA_WEIGHTS.values()))[0]
        temper = (
            rng.choice((2, 3)) if persona == Persona.ABUSIVE else rng.choices((0, 1, 2, 3), (5, 3, 2, 1))[0]
        )
        bucket = rng.choices(list(BUCKET_WEIGHTS), list(BUCKET_WEIGHTS.values()))[0]
        first, last = DEFAULT_SCHEME.days_range(bucket)
        dpd = rng.randint(first, last if last is not None else 720)
        due = self.as_of - timedelta(days=dpd)
        principal = round(min(50_000.0, max(500.0, rng.lognormvariate(math.log(6000), 0.8))), -1)
        outstanding = round(principal * rng.uniform(0.4, 1.15), 2)
        if dpd <= 0:
            overdue = 0.0
        else:
            months = min(12, 1 + dpd // 30)
            overdue = round(min(outstanding, outstanding / 12 * months * rng.uniform(0.9, 1.1)), 2)
        us = self.jurisdiction == "US"
        cells = dict.fromkeys(HEADER, "")
        cells.update(
            loan_id=f"SIM{self.seed}-{index + 1:07d}",
            jurisdiction=self.jurisdiction,
            product=rng.choice(PRODUCTS_US if us else PRODUCTS_CN),
            currency="USD" if us else "CNY",
            principal=f"{principal:.2f}",
            outstanding=f"{outstanding:.2f}",
            overdue_amount=f"{overdue:.2f}",
            due_date=due.isoformat(),
            days_past_due=str(max(dpd, 0)),
        )
        row = SyntheticRow(cells, persona, temper, rng.randrange(2**31))
        if us:
            self._us_person(row)
        else:
            self._cn_person(row)
        return row

    def _truth(self, persona: Persona, own: bool) -> LineTruth:
        if own and persona == Persona.UNREACHABLE:
            return self.rng.choice((LineTruth.INVALID, LineTruth.POWERED_OFF, LineTruth.NEVER_ANSWERS))
        roll = self.rng.random()
        if roll < 0.05:
            return LineTruth.INVALID
        if roll < 0.08:
            return LineTruth.POWERED_OFF
        return LineTruth.ACTIVE

    def _add_line(self, row: SyntheticRow, column: str, text: str, e164: str, own: bool) -> None:
        row.cells[column] = text
        row.e164[column] = e164
        row.lines[column] = self._truth(row.persona, own)

    def _cn_mobile(self) -> tuple[str, str]:
        while True:
            national = self.rng.choice(CN_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if national not in self.numbers:
                self.numbers.add(national)
                return national, "+86" + national

    def _cn_person(self, row: SyntheticRow) -> None:
        rng = self.rng
        region, code, area, _ = rng.choices(CN_REGIONS, [r[3] for r in CN_REGIONS])[0]
        row.cells["region"] = region
        row.cells["name"] = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
        )
        row.cells["id_number"] = self._cn_id(code)
        national, e164 = self._cn_mobile()
        self._add_line(row, "phone", national, e164, own=True)
        if rng.random() < 0.35:
            national, e164 = self._cn_mobile()
            self._add_line(row, "phone2", national, e164, own=True)
        if rng.random() < 0.85:
            national, e164 = self._cn_mobile()
            row.cells["emergency_name"] = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            row.cells["emergency_relation"] = rng.choice(CN_RELATIONS)
            self._add_line(row, "emergency_phone", national, e164, own=False)
        if rng.random() < 0.25:
            while True:
                subscriber = f"{rng.randint(2, 8)}{rng.randrange(10**7):07d}"
                if parse_phone(f"0{area}{subscriber}", "CN") is None:
                    subscriber = subscriber[:7]  # cities with 7-digit local numbers
                key = area + subscriber
                if key not in self.numbers and parse_phone(f"0{key}", "CN") is not None:
                    self.numbers.add(key)
                    break
            self._add_line(row, "employer_phone", f"0{area}-{subscriber}", f"+86{key}", own=False)

    def _cn_id(self, prefix: str) -> str:
        rng = self.rng
        while True:
            born = self.as_of - timedelta(days=rng.randint(20 * 365, 60 * 365))
            first17 = f"{prefix}{rng.randint(1, 29):02d}{born:%Y%m%d}{rng.randrange(1000):03d}"
            value = first17 + id_check_char(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def _us_number(self, area_codes: tuple[str, ...]) -> tuple[str, str]:
        rng = self.rng
        while True:
            exchange = rng.randint(200, 999)
            if exchange % 100 == 11 or exchange == 555:
                continue
            national = f"{rng.choice(area_codes)}{exchange}{rng.randrange(10**4):04d}"
            if national not in self.numbers:
                self.numbers.add(national)
                return f"({national[:3]}) {national[3:6]}-{national[6:]}", "+1" + national

    def _us_person(self, row: SyntheticRow) -> None:
        rng = self.rng
        state, area_codes, _ = rng.choices(US_REGIONS, [r[2] for r in US_REGIONS])[0]
        row.cells["region"] = state
        row.cells["name"] = f"{rng.choice(US_FIRST)} {rng.choice(US_LAST)}"
        text, e164 = self._us_number(area_codes)
        self._add_line(row, "phone", text, e164, own=True)
        if rng.random() < 0.3:
            text, e164 = self._us_number(area_codes)
            self._add_line(row, "phone2", text, e164, own=True)
        if rng.random() < 0.7:
            text, e164 = self._us_number(area_codes)
            row.cells["emergency_name"] = f"{rng.choice(US_FIRST)} {rng.choice(US_LAST)}"
            row.cells["emergency_relation"] = rng.choice(US_RELATIONS)
            self._add_line(row, "emergency_phone", text, e164, own=False)


def generate_rows(accounts: int, seed: int, as_of: date, jurisdiction: str = "CN") -> Iterator[SyntheticRow]:
    """`accounts` synthetic rows, always the same for the same arguments."""
    if jurisdiction not in ("CN", "US"):
        raise ValueError("jurisdiction must be CN or US")
    generator = _Generator(seed, as_of, jurisdiction)
    for index in range(accounts):
        yield generator.row(index)


BAD_KINDS = (
    "bad_phone",
    "bad_id_checksum",
    "negative_amount",
    "bad_date",
    "dpd_inconsistent",
    "missing_name",
    "duplicate_loan_id",
)


def inject_bad_rows(rows: list[dict[str, str]], fraction: float, seed: int) -> dict[int, str]:
    """Break exactly round(fraction × len(rows)) rows in place; returns file row number → kind.

    File row numbers count the header as row 1. Every kind makes exactly that row invalid.
    """
    rng = random.Random(f"huikuan-bad-rows:{seed}")
    count = round(fraction * len(rows))
    # Row 0 is never broken so that a duplicate loan id always has an earlier original.
    chosen = sorted(rng.sample(range(1, len(rows)), count)) if count else []
    broken: dict[int, str] = {}
    for index in chosen:
        kinds = [k for k in BAD_KINDS if k != "bad_id_checksum" or rows[index].get("id_number")]
        kind = rng.choice(kinds)
        row = rows[index]
        if kind == "bad_phone":
            row["phone"] = "12345"
        elif kind == "bad_id_checksum":
            value = row["id_number"]
            row["id_number"] = value[:17] + next(c for c in "0123456789X" if c != value[17])
        elif kind == "negative_amount":
            row["outstanding"] = "-" + row["outstanding"]
        elif kind == "bad_date":
            row["due_date"] = f"{row['due_date'][:4]}-13-45"
        elif kind == "dpd_inconsistent":
            row["days_past_due"] = str(int(row["days_past_due"] or 0) + 10)
        elif kind == "missing_name":
            row["name"] = ""
        else:
            row["loan_id"] = rows[rng.randrange(index)]["loan_id"]
        broken[index + 2] = kind
    return broken


def to_csv(rows: Iterable[dict[str, str]]) -> str:
    """Rows in the import format as CSV text (English header)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
