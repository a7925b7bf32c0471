"""Asymmetric safety on malice: anger is not malice; hardship or a grievance always blocks it."""

from __future__ import annotations

import pytest

from agent.nodes.diagnose import guard_malice
from core.domain.malice import check_malice
from tools.contracts import Evidence

ANGRY_HARDSHIP = [
    "你们烦不烦啊，天天打电话！我老公住院了，哪来的钱交物业费",
    "别催了！厂子倒闭我失业半年了，你们再打我就投诉你们",
    "我现在手头紧得要命，孩子学费都凑不齐，你们逼我也没用，滚",
    "能不能别吵了，我妈做完手术还在家躺着，我一个人照顾，钱的事过两个月再说",
    "老子工资三个月没发了，你们物业就知道要钱，有没有良心",
]
SARCASTIC_GRIEVANCE = [
    "呵呵，电梯坏了一个月没人修，物业费倒是催得挺勤快，真是服务一流啊",
    "你们保洁可真厉害，楼道垃圾放一个礼拜都不收，这钱我交得可真值",
    "好啊，先把我家天花板漏水修好再来跟我谈钱，反正你们也不作为",
    "涨价涨得倒挺快，公共收益的账目什么时候公示过？凭什么我先交",
    "开发商留下的墙体裂缝到现在没人管，物业费？你们先去找开发商吧",
]
GENUINELY_MALICIOUS = [
    "我就不交，你能把我怎么样",
    "有本事你去法院告我啊，我等着",
    "钱我有的是，就是不想给你们",
    "拖着呗，拖到你们换物业就不用交了",
    "没什么原因，就是不想交，别打了",
]


@pytest.mark.parametrize("line", ANGRY_HARDSHIP)
def test_when_an_angry_owner_states_hardship_then_malice_is_blocked_and_hardship_is_seen(line):
    check = check_malice([line])
    assert not check.allowed and check.hardship, check


@pytest.mark.parametrize("line", SARCASTIC_GRIEVANCE)
def test_when_a_sarcastic_owner_names_a_grievance_then_malice_is_blocked(line):
    check = check_malice([line])
    assert not check.allowed and check.blockers, check


@pytest.mark.parametrize("line", GENUINELY_MALICIOUS)
def test_when_an_owner_refuses_without_any_reason_then_malice_may_stand(line):
    check = check_malice(["您好，收到了", line])
    assert check.allowed and check.refusals, check


def test_when_a_malicious_refusal_comes_with_an_open_ticket_then_malice_is_blocked():
    assert not check_malice(["我就不交，你能把我怎么样"], open_grievances=1).allowed


def test_when_an_owner_is_only_rude_then_malice_has_no_positive_evidence():
    check = check_malice(["烦死了，别给我打电话", "你们这些人真讨厌"])
    assert not check.allowed and not check.blockers and check.reason.startswith("没有")


def _evidence(lines: list[str]) -> Evidence:
    return Evidence.from_sources(
        {
            "get_household_profile": {"id": "bill:1"},
            "get_chat_messages": {
                "messages": [
                    {"id": f"msg:m{i}", "time": "2024-08-01 10:00", "speaker": "业主", "text": t}
                    for i, t in enumerate(lines)
                ]
            },
        }
    )


CANDIDATES = [
    {"cause_id": "beh.malicious", "support": ["msg:m0"], "score": 2.0},
    {"cause_id": "svc.slow_repair", "support": ["msg:m0"], "score": 1.0},
    {"cause_id": "ext.hardship", "support": ["msg:m0"], "score": 0.5},
]


def _model_says_malicious() -> dict:
    return {
        "primary_cause_id": "beh.malicious",
        "secondary_cause_ids": ["svc.slow_repair"],
        "confidence": 0.9,
        "explanation": "业主拒缴",
        "citations": [{"cause_id": "beh.malicious", "evidence_ids": ["msg:m0"]}],
        "source": "model",
    }


def test_when_the_model_calls_an_angry_owner_in_hardship_malicious_then_the_diagnosis_is_hardship():
    result = guard_malice(_model_says_malicious(), CANDIDATES, _evidence([ANGRY_HARDSHIP[1]]))
    assert result["primary_cause_id"] == "ext.hardship"
    assert "beh.malicious" not in result["secondary_cause_ids"]
    assert all(c["cause_id"] != "beh.malicious" for c in result["citations"])
    assert result["source"].endswith("malice_guard") and result["confidence"] <= 0.6


def test_when_the_model_calls_a_grievance_malicious_then_the_best_other_candidate_is_taken():
    result = guard_malice(_model_says_malicious(), CANDIDATES, _evidence([SARCASTIC_GRIEVANCE[2]]))
    assert result["primary_cause_id"] == "svc.slow_repair"


def test_when_hardship_is_not_a_candidate_then_it_is_still_chosen_with_the_owners_words_cited():
    candidates = [c for c in CANDIDATES if c["cause_id"] != "ext.hardship"]
    result = guard_malice(_model_says_malicious(), candidates, _evidence(["你好", ANGRY_HARDSHIP[0]]))
    assert result["primary_cause_id"] == "ext.hardship"
    assert result["citations"][0]["evidence_ids"] == ["msg:m1"]


def test_when_the_refusal_is_genuine_then_the_models_malice_stands():
    result = guard_malice(_model_says_malicious(), CANDIDATES, _evidence([GENUINELY_MALICIOUS[0]]))
    assert result["primary_cause_id"] == "beh.malicious" and result["source"] == "model"


def test_when_the_golden_households_are_checked_then_only_the_malicious_ones_allow_malice(tmp_path):
    """On the generated golden set: every malicious household passes, no hardship or grievance household does."""
    import json

    import yaml

    from core.scope import CallerScope
    from data.db.session import init_db, make_session_factory
    from data.generator.generate import generate
    from evals.cases import GOLDEN_DIR
    from tools.evidence import EvidenceReader
    from tools.household_tools import make_evidence_tools

    golden = yaml.safe_load((GOLDEN_DIR / "generated.yaml").read_text(encoding="utf-8"))
    engine = init_db(f"sqlite:///{tmp_path / 'golden.db'}")
    generate(engine, golden["size"], seed=golden["seed"])
    allowed: dict[bool, list[str]] = {True: [], False: []}
    with make_session_factory(engine)() as session:
        for case in golden["cases"]:
            reader = EvidenceReader(session, case["household"], CallerScope("test"))
            sources = {t.name: json.loads(t.invoke({})) for t in make_evidence_tools(reader)}
            check = Evidence.from_sources(sources).malice_check()
            allowed[check.allowed].append(case["expected"]["primary"])
    engine.dispose()
    assert "beh.malicious" in allowed[True] and "beh.malicious" not in allowed[False]
    assert set(allowed[True]) == {"beh.malicious"}, allowed[True]
