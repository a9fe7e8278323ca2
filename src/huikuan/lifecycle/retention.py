"""How long each kind of data is kept, and why: one table, printed by `huikuan data retention`.

Records of collection (attempts, ledger, compliance decisions, promises) are the evidence a
regulator or a court asks for, so they stay for the longest period any pack demands (CN 5 years,
US Reg F §1006.100 3 years after the last collection activity): the purge never deletes them;
erasing a debtor replaces their personal data and leaves the ids. The audit log is never purged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

YEAR = timedelta(days=365)
# The records period per jurisdiction: after it, a debtor whose accounts are all closed may be erased.
RECORDS_PERIOD = {"CN": 5 * YEAR, "US": 3 * YEAR}


@dataclass(frozen=True, slots=True)
class Retention:
    kind: str
    keep: timedelta | None  # None: not purged by age (see `rule`)
    rule_zh: str
    rule_en: str


POLICY: tuple[Retention, ...] = (
    Retention(
        "recording",
        5 * YEAR,
        "通话录音保存5年（CN.RECORD；美国 Reg F 要求3年，取较长者）",
        "call recordings kept 5 years (CN.RECORD; Reg F asks 3, the longer wins)",
    ),
    Retention(
        "llm_exchange",
        1 * YEAR,
        "大模型请求与回复（已脱敏、加密）保存1年，供复核",
        "LLM prompts and replies (masked, encrypted) kept 1 year for review",
    ),
    Retention(
        "web_session",
        timedelta(days=30),
        "控制台会话结束或过期30天后删除",
        "console sessions deleted 30 days after they ended or expired",
    ),
    Retention(
        "api_token",
        timedelta(days=30),
        "API 令牌撤销或过期30天后删除",
        "API tokens deleted 30 days after revocation or expiry",
    ),
    Retention(
        "debtor",
        None,
        "债务人个人信息：所有账户结清且最后联系超过记录保存期（中国5年、美国3年）后，可应请求删除",
        "a debtor's personal data: erased on request once every account is closed and the last "
        "contact is older than the records period (CN 5 years, US 3 years)",
    ),
    Retention(
        "collection_record",
        None,
        "拨打、账本、合规决定、承诺：按记录保存期保留，不自动删除",
        "attempts, ledger, compliance decisions, promises: kept for the records period, never purged",
    ),
    Retention(
        "audit_event",
        None,
        "审计日志永久保存（防篡改链）",
        "the audit log is kept forever (a tamper-evident chain)",
    ),
)


def keep(kind: str) -> timedelta | None:
    return next(r.keep for r in POLICY if r.kind == kind)
