"""The engine: report shape, rule list, ordering and stable ids."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from core.domain.compliance import RULE_IDS, RULE_TITLES, check_messages
from core.domain.compliance.types import OutgoingMessage
from tests.validation.compliance_helpers import ctx, msg

EXPECTED_RULES = {
    "no_utility_threat",
    "coercion",
    "impersonation",
    "stage_wording",
    "insult",
    "quiet_hours",
    "holiday",
    "daily_cap",
    "weekly_cap",
    "opt_out",
    "blacklist",
    "pii_leak",
    "hardship_detail",
    "third_party",
    "public_posting",
    "amount_mismatch",
    "sms_opt_out_line",
    "escalation_order",
}


def test_when_engine_lists_rules_then_every_rule_has_a_stable_ascii_id_and_title() -> None:
    assert set(RULE_IDS) == EXPECTED_RULES
    assert all(rule.isascii() for rule in RULE_IDS)
    assert set(RULE_TITLES) == EXPECTED_RULES


def test_when_plan_is_clean_then_report_passes_with_all_rules_checked() -> None:
    report = check_messages([msg()], ctx())
    assert report.passed and report.failures == []
    assert set(report.checked_rules) == EXPECTED_RULES


def test_when_report_is_serialised_then_it_is_json_ready() -> None:
    bad = msg("您的逾期物业费1580元", stage="预警", channel="sms", send_at=datetime(2024, 10, 9, 21, 0))
    data = check_messages([bad], ctx()).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert data["passed"] is False
    rules = {f["rule"] for f in data["failures"]}
    assert rules == {"stage_wording", "amount_mismatch", "quiet_hours", "sms_opt_out_line"}
    assert all(f["message"] and f["hint"] for f in data["failures"])
    assert "逾期" in text


def test_when_families_are_selected_then_only_their_rules_run() -> None:
    bad = msg("您的逾期物业费1580元", stage="预警", send_at=datetime(2024, 10, 9, 21, 0))
    report = check_messages([bad], ctx(), families=["amounts"])
    assert report.checked_rules == ["amount_mismatch"]
    assert report.rules_failed() == {"amount_mismatch"}


@pytest.mark.parametrize(("field", "value"), [("channel", "fax"), ("stage", "终极")])
def test_when_message_has_unknown_channel_or_stage_then_it_is_rejected(field: str, value: str) -> None:
    kwargs = {"step_id": "s", "channel": "sms", "text": "x", "send_at": datetime(2024, 10, 9, 10), "stage": "预警"}
    kwargs[field] = value
    with pytest.raises(ValueError):
        OutgoingMessage(**kwargs)
