"""Words for the compliance area's codes: stop kinds, rule settings, decision outcomes."""

from __future__ import annotations

from huikuan.compliance.schemas import StopKind
from huikuan.web import labels
from huikuan.web.i18n import N_

labels.register(
    "stop_kind",
    {
        StopKind.COMPLAINT: N_("Complaint"),
        StopKind.DISPUTE: N_("Dispute"),
        StopKind.CEASE: N_("Cease request"),
        StopKind.DECEASED: N_("Reported deceased"),
    },
)
labels.register(
    "rule_setting",
    {
        "after_failures": N_("Failed attempts before third parties"),
        "start": N_("Window start"),
        "end": N_("Window end"),
        "enabled": N_("Rule switched on"),
        "max_conversations": N_("Conversations per day (most)"),
        "max_dials": N_("Dials per number per day (most)"),
        "retention_years": N_("Recordings kept (years)"),
        "complaint_stops": N_("A complaint stops contact"),
        "employer_calls": N_("Calls to the employer"),
        "max_calls": N_("Calls in the period (most)"),
        "days": N_("Days"),
        "max_abandon_rate": N_("Abandon rate (most)"),
    },
)
labels.register("decision", {"allowed": N_("Allowed"), "denied": N_("Denied")})
labels.register("switch", {"True": N_("On"), "False": N_("Off")})
labels.register("channel", {"voice": N_("Voice call"), "sms": N_("SMS")})
