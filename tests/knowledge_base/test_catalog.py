from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge_base.catalog import (
    KbLoadError,
    get_cause,
    get_template,
    kb_version,
    load_causes,
    load_docs,
    load_templates,
)
from knowledge_base.taxonomy import CAUSE_IDS, TAXONOMY, TEMPLATE_PLACEHOLDERS

VALUES = {
    "owner_title": "尊敬的业主",
    "project_name": "北京试点项目",
    "unit": "4号楼1203",
    "amount": "1680.00",
    "periods": "2024年6-8月",
    "due_date": "2024-09-30",
    "pay_link": "https://pay.example/abc",
    "steward_phone": "400-000-0000",
    "fix_actions": "当天清理楼道；增加保洁频次",
    "followup_date": "9月5日",
    "instalment_months": 6,
    "opt_out": "回复T退订",
}


def _edit_cause(root: Path, cause_id: str, **changes: object) -> Path:
    path = root / "causes" / f"{cause_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_when_loading_real_kb_then_exactly_the_taxonomy_ids_with_consistent_groups():
    causes = load_causes()
    assert sorted(c.id for c in causes) == sorted(CAUSE_IDS)
    for cause in causes:
        assert (cause.dimension_id, cause.category_id, cause.strategy_group) == TAXONOMY[cause.id]
        assert len(cause.utterances) >= 10
        assert cause.handling.fix_first


def test_when_strategy_group_is_hardship_then_twelve_month_instalments_and_reduction():
    hardship = get_cause("ext.hardship")
    assert hardship.handling.max_instalment_months == 12
    assert hardship.handling.reduction_eligible
    assert get_cause("svc.cleaning_greening").handling.pause_forced_collection
    assert not get_cause("beh.malicious").handling.instalment_eligible


def test_when_cause_id_unknown_then_key_error():
    with pytest.raises(KeyError):
        get_cause("svc.nope")


def test_when_a_cause_has_too_few_utterances_then_error_names_the_file(kb_root: Path):
    path = _edit_cause(kb_root, "svc.slow_repair", utterances=["太慢了", "没人来"])
    with pytest.raises(KbLoadError) as info:
        load_causes(kb_root)
    assert str(path) in str(info.value)
    assert "utterances" in str(info.value)


def test_when_a_required_field_is_missing_then_error_names_file_and_field(kb_root: Path):
    path = kb_root / "causes" / "beh.forgetful.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["handling"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KbLoadError, match=r"beh\.forgetful\.yaml.*handling"):
        load_causes(kb_root)


def test_when_dimension_contradicts_taxonomy_then_error(kb_root: Path):
    _edit_cause(kb_root, "ext.hardship", strategy_group="standard")
    with pytest.raises(KbLoadError, match="ext.hardship"):
        load_causes(kb_root)


def test_when_two_files_share_an_id_then_duplicate_error(kb_root: Path):
    source = kb_root / "causes" / "beh.malicious.yaml"
    (kb_root / "causes" / "beh.malicious.copy.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(KbLoadError, match="does not match the file name|duplicate"):
        load_causes(kb_root)


def test_when_yaml_is_malformed_then_error_names_the_file(kb_root: Path):
    path = kb_root / "causes" / "beh.malicious.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KbLoadError, match=r"beh\.malicious\.yaml"):
        load_causes(kb_root)


def test_when_rendering_every_template_then_no_placeholder_is_left():
    templates = load_templates()
    assert len({t.id for t in templates}) == len(templates) >= 12
    for template in templates:
        assert template.placeholders <= TEMPLATE_PLACEHOLDERS
        text = template.render(**VALUES)
        assert "{" not in text and "}" not in text
        if template.channel == "sms":
            assert text.endswith("回复T退订")
        if "预警" in template.stages:
            assert "催收" not in text and "逾期" not in text


def test_when_prd_scenarios_are_needed_then_templates_cover_them():
    scenarios = {t.scenario for t in load_templates()}
    assert {"首次提醒", "温和升级", "分期建议", "法务前置提示"} <= scenarios
    assert get_template("tpl.warn.sms.first").channel == "sms"
    with pytest.raises(KeyError):
        get_template("tpl.none")


@pytest.mark.parametrize(
    ("text", "stages", "channel", "reason"),
    [
        ("{owner_title}再不交费将停水停电。{opt_out}", ["初级"], "sms", "forbidden"),
        ("{owner_title}您的物业费已逾期，请缴纳。{opt_out}", ["预警"], "sms", "forbidden"),
        ("{owner_title}请缴纳物业费{amount}元，谢谢。", ["预警"], "sms", "opt_out"),
        ("{owner_title}请把{id_number}发给我们。{opt_out}", ["预警"], "sms", "placeholders"),
    ],
)
def test_when_template_is_not_compliant_then_load_fails(kb_root: Path, text, stages, channel, reason):
    path = kb_root / "templates.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["templates"].append(
        {
            "id": "tpl.bad",
            "name": "违规模板",
            "scenario": "首次提醒",
            "stages": stages,
            "channel": channel,
            "politeness": 3,
            "strategy_groups": ["standard"],
            "text": text,
        }
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KbLoadError, match=reason):
        load_templates(kb_root)


def test_when_docs_load_then_stage_ladder_strategies_and_compliance_exist():
    docs = {doc.id: doc for doc in load_docs()}
    assert {"doc.stage_ladder", "doc.strategies", "doc.compliance"} <= set(docs)
    assert "民法典第944条" in docs["doc.compliance"].sources
    assert "T+15" in docs["doc.stage_ladder"].body


def test_when_a_kb_file_changes_then_kb_version_changes(kb_root: Path):
    before = kb_version(kb_root)
    assert before == kb_version(kb_root)
    _edit_cause(kb_root, "beh.forgetful", escalation_notes="改过的说明")
    assert kb_version(kb_root) != before
