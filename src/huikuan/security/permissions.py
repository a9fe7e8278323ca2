"""The one permission matrix: which role may do what. API routes, pages and CLI commands all ask
`require(user, permission)`; nothing else decides who may act (docs/security.md prints this
table; a test walks every route and role against it).

Rules beside the table, enforced where the action is:
- a script is never approved by its author (dialogue/approval.py);
- agents see only the transfers assigned to them (desk);
- revealing full personal data, playing a recording and a full export also need a reason,
  and each is audited.
"""

from __future__ import annotations

from enum import StrEnum

from huikuan.errors import PermissionDenied
from huikuan.security.models import User
from huikuan.security.users import Role


class Permission(StrEnum):
    VIEW_REPORTS = "view_reports"  # KPIs and the console's dashboards (amounts, no names)
    VIEW_MASKED = "view_masked"  # accounts and debtors with personal data masked
    VIEW_FULL = "view_full"  # reveal a full name, number or ID number (with a reason)
    DESK = "desk"  # sit at the agent desk, take transfers
    RUN_CAMPAIGNS = "run_campaigns"  # create, start, pause, stop campaigns
    IMPORT = "import"  # upload case files
    EDIT_SCRIPTS = "edit_scripts"  # draft and submit scripts
    APPROVE_SCRIPTS = "approve_scripts"  # approve or reject (never one's own)
    EDIT_STRATEGY = "edit_strategy"
    RULE_SETTINGS = "rule_settings"  # tighten the rule packs' settings
    CLEAR_STOPS = "clear_stops"  # lift a cease, complaint or dispute stop
    EXPORT = "export"  # masked exports; full ones also need VIEW_FULL
    PLAY_RECORDINGS = "play_recordings"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_KEYS = "manage_keys"
    RUN_RETENTION = "run_retention"  # the scheduled purge of data past its time
    ERASE_DATA = "erase_data"  # erase a debtor's personal data where the law allows


P = Permission

MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            P.VIEW_REPORTS,
            P.VIEW_MASKED,
            P.RUN_CAMPAIGNS,
            P.IMPORT,
            P.EDIT_STRATEGY,
            P.RULE_SETTINGS,  # tighten only: loosening needs an officer (compliance/rule_settings.py)
            P.MANAGE_USERS,
            P.MANAGE_KEYS,
            P.RUN_RETENTION,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            P.VIEW_REPORTS,
            P.VIEW_MASKED,
            P.DESK,
            P.RUN_CAMPAIGNS,
            P.IMPORT,
            P.EDIT_SCRIPTS,
            P.EDIT_STRATEGY,
            P.EXPORT,
            P.PLAY_RECORDINGS,
        }
    ),
    Role.AGENT: frozenset({P.DESK}),
    Role.COMPLIANCE_OFFICER: frozenset(
        {
            P.VIEW_REPORTS,
            P.VIEW_MASKED,
            P.VIEW_FULL,
            P.APPROVE_SCRIPTS,
            P.RULE_SETTINGS,
            P.CLEAR_STOPS,
            P.EXPORT,
            P.PLAY_RECORDINGS,
            P.VIEW_AUDIT,
            P.ERASE_DATA,
        }
    ),
    Role.AUDITOR: frozenset({P.VIEW_REPORTS, P.VIEW_MASKED, P.VIEW_AUDIT}),
    # Workers act through services, not through these checks; they cannot log in. Jobs (the
    # daily purge) run with a system account's API token.
    Role.SYSTEM: frozenset({P.RUN_RETENTION}),
}


def allowed(role: str, permission: Permission) -> bool:
    try:
        return permission in MATRIX[Role(role)]
    except ValueError:
        return False


def require(user: User, permission: Permission) -> None:
    """PermissionDenied unless the active `user`'s role grants `permission` (names ids only)."""
    if not user.active or not allowed(user.role, permission):
        raise PermissionDenied(
            f"用户 {user.id} 无权限 {permission.value} / user {user.id} may not {permission.value}"
        )


def markdown_table() -> str:
    """The matrix as docs/security.md prints it (a test keeps the two equal)."""
    roles = list(Role)
    lines = ["| permission | " + " | ".join(r.value for r in roles) + " |", "|---|" + "---|" * len(roles)]
    for permission in Permission:
        marks = " | ".join("✓" if permission in MATRIX[r] else "" for r in roles)
        lines.append(f"| `{permission.value}` | {marks} |")
    return "\n".join(lines)
