"""The fixed arrears-cause taxonomy: cause ids, their dimension/category ids and strategy groups."""

from __future__ import annotations

from typing import Literal

StrategyGroup = Literal["service_quality", "hardship", "malicious", "dispute", "standard"]

# cause_id -> (dimension_id, category_id, strategy_group)
TAXONOMY: dict[str, tuple[str, str, StrategyGroup]] = {
    "svc.cleaning_greening": ("service", "basic_service", "service_quality"),
    "svc.facility_failure": ("service", "basic_service", "service_quality"),
    "svc.security_lapse": ("service", "basic_service", "service_quality"),
    "svc.slow_repair": ("service", "response_lag", "service_quality"),
    "svc.complaint_stalled": ("service", "response_lag", "service_quality"),
    "mgmt.public_income_undisclosed": ("management", "fee_transparency", "dispute"),
    "mgmt.fee_structure_unclear": ("management", "fee_transparency", "dispute"),
    "mgmt.no_owner_assembly": ("management", "decision_participation", "dispute"),
    "mgmt.committee_election_irregular": ("management", "decision_participation", "dispute"),
    "comm.staff_perfunctory": ("communication", "attitude", "dispute"),
    "comm.manager_hostile": ("communication", "attitude", "dispute"),
    "comm.single_reminder_channel": ("communication", "information", "dispute"),
    "comm.policy_not_communicated": ("communication", "information", "dispute"),
    "ext.cheaper_neighbours": ("external", "economic", "dispute"),
    "ext.hardship": ("external", "economic", "hardship"),
    "ext.price_cap_not_synced": ("external", "policy_change", "dispute"),
    "ext.relief_policy_dispute": ("external", "policy_change", "dispute"),
    "spec.developer_defects": ("special", "legacy", "service_quality"),
    "spec.previous_manager_dispute": ("special", "legacy", "dispute"),
    "spec.blame_developer": ("special", "cognition", "dispute"),
    "spec.vacancy_misunderstanding": ("special", "cognition", "dispute"),
    "beh.forgetful": ("behaviour", "habit", "standard"),
    "beh.malicious": ("behaviour", "malicious", "malicious"),
}

CAUSE_IDS: tuple[str, ...] = tuple(TAXONOMY)

STAGES: tuple[str, ...] = ("预警", "初级", "中级", "高级")

CHANNELS: tuple[str, ...] = ("sms", "wechat", "phone", "visit", "letter", "app")

TEMPLATE_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "owner_title",
        "project_name",
        "unit",
        "amount",
        "periods",
        "due_date",
        "pay_link",
        "steward_phone",
        "fix_actions",
        "followup_date",
        "instalment_months",
        "opt_out",
    }
)
