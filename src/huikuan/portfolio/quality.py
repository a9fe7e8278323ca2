"""Data-quality report of an imported file: gaps, suspicious values, duplicates.

Computed on accepted rows only (rejected rows are in the error report); holds counts and row
numbers, never personal values, so the console may show it to any role.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from huikuan.portfolio.schemas import QualityReport
from huikuan.portfolio.validation import ValidRow
from huikuan.types import Relation

MAX_PLAUSIBLE_DPD = 1095  # three years: usually written off or time-barred
EXAMPLE_ROWS = 20

CHECKS = {
    "outstanding_gt_3x_principal": "剩余应还超过本金 3 倍 / outstanding > 3x principal",
    "dpd_gt_1095": "逾期超过 1095 天 / more than 1,095 days past due",
    "zero_outstanding": "剩余应还为 0 / nothing outstanding",
    "future_due_with_overdue": "未到期却有逾期金额 / overdue amount before the due date",
}


def assess(rows: Sequence[ValidRow], as_of: date) -> QualityReport:
    """Count missing optional fields, suspicious values and cross-row duplicates."""
    report = QualityReport(rows=len(rows))
    missing: dict[str, int] = defaultdict(int)
    flagged: dict[str, list[int]] = defaultdict(list)
    owners: dict[str, set[str]] = defaultdict(set)  # own number key → identity keys
    names: dict[str, set[str]] = defaultdict(set)  # ID blind index → names
    for row in rows:
        for column in row.missing:
            missing[column] += 1
        if row.principal > 0 and row.outstanding > 3 * row.principal:
            flagged["outstanding_gt_3x_principal"].append(row.row)
        if row.days_past_due > MAX_PLAUSIBLE_DPD:
            flagged["dpd_gt_1095"].append(row.row)
        if row.outstanding == 0:
            flagged["zero_outstanding"].append(row.row)
        if row.due_date > as_of and row.overdue > 0:
            flagged["future_due_with_overdue"].append(row.row)
        for contact in row.contacts:
            if contact.relation == Relation.SELF:
                owners[contact.number_key].add(row.identity_key)
        if row.national_id:
            names[row.identity_key].add(row.name)
    report.missing = dict(missing)
    report.suspicious = {check: len(found) for check, found in flagged.items()}
    report.suspicious_rows = {check: found[:EXAMPLE_ROWS] for check, found in flagged.items()}
    report.shared_phone_numbers = sum(1 for who in owners.values() if len(who) > 1)
    report.ids_with_different_names = sum(1 for n in names.values() if len(n) > 1)
    return report
