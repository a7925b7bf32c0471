"""Tables for stage_wording and insult."""

from __future__ import annotations

import pytest

from core.domain.compliance.lexicon import fix_stage_wording
from tests.validation.compliance_helpers import rules

WARNING_STAGE_WORDS = [
    "您的物业费已逾期",
    "这是一条催收提醒",
    "物业催缴通知",
    "欠款人您好",
    "您已违约",
    "您拖欠物业费两周",
    "逾 期 未 缴",
]

INSULTS = [
    ("老赖请尽快交费", "高级"),
    ("老赖请尽快交费", "预警"),
    ("像你这种无赖", "中级"),
    ("真不要脸", "初级"),
    ("没素质的业主", "初级"),
    ("钉子户就是你", "中级"),
]


@pytest.mark.parametrize("text", WARNING_STAGE_WORDS)
def test_when_warning_stage_uses_negative_words_then_stage_wording_fails(text: str) -> None:
    assert "stage_wording" in rules(text, stage="预警")


@pytest.mark.parametrize("text", ["您的物业费已逾期", "物业催缴通知", "您拖欠物业费两周"])
@pytest.mark.parametrize("stage", ["初级", "中级", "高级"])
def test_when_later_stage_uses_collection_words_then_stage_wording_passes(text: str, stage: str) -> None:
    assert "stage_wording" not in rules(text, stage=stage)


@pytest.mark.parametrize(("text", "stage"), INSULTS)
def test_when_text_insults_owner_then_insult_fails_in_any_stage(text: str, stage: str) -> None:
    assert "insult" in rules(text, stage=stage)


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("您的物业费已逾期", "您的物业费已未缴"),
        ("逾期未缴的物业费", "未缴的物业费"),
        ("催收提醒：欠款人您好", "提醒提醒：业主您好"),
    ],
)
def test_when_warning_words_have_replacements_then_fix_replaces_them(text: str, fixed: str) -> None:
    assert fix_stage_wording(text, "预警") == fixed


def test_when_a_word_has_no_safe_replacement_then_fix_returns_none() -> None:
    assert fix_stage_wording("您已违约", "预警") is None
