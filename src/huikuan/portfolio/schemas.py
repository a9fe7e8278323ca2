"""Import columns (English and Chinese names) and the Pydantic results of an import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from pydantic import BaseModel, Field


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # English header and internal name
    zh: str  # Chinese header
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.key}/{self.zh}"


COLUMNS: tuple[Column, ...] = (
    Column("loan_id", "借据号", True, ("loan_ref", "借款编号", "合同号")),
    Column("name", "姓名", True, ("debtor_name", "客户姓名")),
    Column("id_number", "身份证号", False, ("national_id", "证件号码", "身份证号码")),
    Column("phone", "手机号", True, ("mobile", "手机号码", "联系电话")),
    Column("phone2", "备用电话", False, ("备用手机号",)),
    Column("region", "地区", False, ("province", "省份", "所在地区")),
    Column("timezone", "时区"),
    Column("jurisdiction", "司法辖区"),
    Column("dialect", "方言"),
    Column("product", "产品", False, ("产品名称",)),
    Column("currency", "币种"),
    Column("principal", "本金", False, ("借款金额",)),
    Column("outstanding", "剩余应还", True, ("剩余应还金额",)),
    Column("overdue_amount", "逾期金额", True, ("overdue",)),
    Column("due_date", "到期日", True, ("应还日期",)),
    Column("days_past_due", "逾期天数", False, ("dpd",)),
    Column("emergency_name", "紧急联系人", False, ("紧急联系人姓名",)),
    Column("emergency_phone", "紧急联系人电话", False, ("紧急联系人手机号",)),
    Column("emergency_relation", "紧急联系人关系"),
    Column("employer_phone", "单位电话", False, ("公司电话",)),
    Column("ai_voice_consent", "AI语音同意", False, ("ai_consent", "智能语音同意")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
OPTIONAL_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if not c.required)


def normalize_header(text: str) -> str:
    """Header cell → comparable form: no BOM, spaces, underscores or case."""
    return "".join(text.replace("\ufeff", "").split()).replace("_", "").replace("-", "").lower()


@cache
def header_index(columns: tuple[Column, ...]) -> dict[str, str]:
    """Every accepted header (key, Chinese name, aliases; normalized) → the field key."""
    return {normalize_header(name): c.key for c in columns for name in (c.key, c.zh, *c.aliases)}


class RowError(BaseModel):
    """One problem in one row; `reason` never contains the personal value itself."""

    row: int  # as in the file, the header being row 1
    column: str
    reason: str


class QualityReport(BaseModel):
    """Data quality of the accepted rows of one file (shown after import, later in the console)."""

    rows: int = 0
    missing: dict[str, int] = Field(default_factory=dict)  # optional column → rows without it
    suspicious: dict[str, int] = Field(default_factory=dict)  # check → rows
    suspicious_rows: dict[str, list[int]] = Field(default_factory=dict)  # check → first row numbers
    shared_phone_numbers: int = 0  # a debtor's own number also listed as another debtor's own
    ids_with_different_names: int = 0  # one ID number under several names


class ImportResult(BaseModel):
    """What an import did; `errors` is the row-level error report."""

    batch_id: int
    batch_name: str
    creditor: str
    sha256: str
    already_imported: bool = False
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rows_already_present: int = 0
    debtors_created: int = 0
    contacts_created: int = 0
    rejected_by_reason: dict[str, int] = Field(default_factory=dict)
    extra_columns: list[str] = Field(default_factory=list)
    errors: list[RowError] = Field(default_factory=list)
    quality: QualityReport = Field(default_factory=QualityReport)


class BatchSummary(BaseModel):
    """One past import (委案批次) as a list shows it."""

    batch_id: int
    batch_name: str
    creditor: str
    created_at: datetime
    rows_imported: int
    rows_rejected: int
