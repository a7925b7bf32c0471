import random

import pytest

from data.generator.scenarios import CAUSE_IDS, CAUSE_NAMES, pick_secondary

CATEGORY_NAMES = (
    "基础服务缺陷",
    "服务响应滞后",
    "费用透明度不足",
    "决策参与缺失",
    "态度与服务意识",
    "信息传递失效",
    "经济压力传导",
    "政策法规变化",
    "历史遗留问题",
    "个体认知偏差",
    "缴费习惯",
    "恶意拖欠",
    "欠费原因",
)
# Phrases that would hand the label to a reader; natural complaints ("停车场收入从没公开") stay allowed.
FORBIDDEN_EXTRA = {
    "svc.cleaning_greening": ("维护不足",),
    "svc.facility_failure": ("设施设备故障",),
    "svc.security_lapse": ("形同虚设",),
    "svc.slow_repair": ("工单超时处理",),
    "svc.complaint_stalled": ("流程冗长",),
    "mgmt.public_income_undisclosed": ("公共收益未公示",),
    "mgmt.fee_structure_unclear": ("构成不清晰",),
    "mgmt.no_owner_assembly": ("未经业主大会",),
    "mgmt.committee_election_irregular": ("选举程序违规",),
    "comm.staff_perfunctory": ("推诿敷衍",),
    "comm.manager_hostile": ("姿态强硬",),
    "comm.single_reminder_channel": ("提醒方式单一",),
    "comm.policy_not_communicated": ("未有效触达",),
    "ext.cheaper_neighbours": ("同类项目降价",),
    "ext.hardship": ("经济困难",),
    "ext.price_cap_not_synced": ("未同步",),
    "ext.relief_policy_dispute": ("执行争议",),
    "spec.developer_defects": ("开发商遗留",),
    "spec.previous_manager_dispute": ("未清算",),
    "spec.blame_developer": ("归咎",),
    "spec.vacancy_misunderstanding": ("错误理解",),
    "beh.forgetful": ("疏忽", "遗忘"),
    "beh.malicious": ("恶意", "老赖", "无理由拒缴"),
}
FORBIDDEN = (
    tuple(CAUSE_IDS)
    + tuple(CAUSE_NAMES.values())
    + tuple(name.split("（")[0] for name in CAUSE_NAMES.values())
    + CATEGORY_NAMES
    + tuple(w for words in FORBIDDEN_EXTRA.values() for w in words)
)


def test_when_forbidden_list_defined_then_it_covers_every_cause():
    assert set(FORBIDDEN_EXTRA) == set(CAUSE_IDS)


@pytest.mark.parametrize("cause_id", CAUSE_IDS)
def test_when_evidence_written_then_no_label_or_id_leaks(build, texts_of, cause_id):
    for seed in range(150):
        secondary = pick_secondary(random.Random(seed), cause_id, share=0.5)
        for text in texts_of(build(cause_id, seed, secondary_cause_id=secondary)):
            leaked = [w for w in FORBIDDEN if w in text]
            assert not leaked, (cause_id, text, leaked)
            assert "{" not in text and "}" not in text, text
            assert "svc." not in text and "beh." not in text
