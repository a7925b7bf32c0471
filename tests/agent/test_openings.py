"""The model's opening sentence goes after the reviewed template's greeting; the template's words stay whole."""

from __future__ import annotations

import pytest

from agent.messages import whole_sentences, with_opening
from agent.nodes.diagnose import from_model
from agent.nodes.plan import steps_for_model

WECHAT = "王女士，您好！关于您反映的问题，我们非常抱歉。"
SMS = "王女士您好，保利社区温馨提示：您的房屋物业费待缴。回复T退订"
LETTER = "王女士： 您的房屋截至目前尚有物业服务费未缴。"


@pytest.mark.parametrize(
    ("template", "opening", "expected"),
    [
        (
            WECHAT,
            "楼梯口的垃圾问题您反映了多次，给您添麻烦了",
            "王女士，您好！楼梯口的垃圾问题您反映了多次，给您添麻烦了。关于",
        ),
        (SMS, "感谢您对小区服务的关注。", "王女士您好，感谢您对小区服务的关注。保利社区"),
        (LETTER, "感谢您的耐心。", "王女士： 感谢您的耐心。您的房屋"),
        (WECHAT, "【业主】您好！电梯的事我们一直在跟进。", "王女士，您好！电梯的事我们一直在跟进。关于"),
        ("关于您反映的问题", "我们听到了。", "我们听到了。关于您反映的问题"),
    ],
)
def test_when_an_opening_is_added_then_it_follows_the_greeting_and_the_template_stays_whole(
    template, opening, expected
):
    text = with_opening(template, opening)
    assert text.startswith(expected)
    rest = template.split("！", 1)[-1] if "！" in template else template
    assert text.endswith(rest.split("：", 1)[-1].strip())
    assert text.count("您好") == template.count("您好")


def test_when_the_opening_is_blank_then_the_template_is_unchanged():
    assert with_opening(WECHAT, "  ") == WECHAT


def _step(seq: int, day: str, outgoing: bool = True, template: str = "模板") -> dict:
    return {"seq": seq, "date": day, "outgoing": outgoing, "template_text": template}


def test_when_steps_span_weeks_then_the_model_opens_only_those_near_the_first_outgoing_one():
    plan = {
        "steps": [
            _step(1, "2024-09-02", outgoing=False),
            _step(2, "2024-09-03"),
            _step(3, "2024-09-05"),
            _step(4, "2024-09-12"),
            _step(5, "2024-09-04", template=""),
        ]
    }
    assert [s["seq"] for s in steps_for_model(plan, 2)] == [2, 3]
    assert [s["seq"] for s in steps_for_model(plan, 0)] == [2]
    assert [s["seq"] for s in steps_for_model(plan, None)] == [2, 3, 4]


CANDIDATES = [
    {"cause_id": "svc.slow_repair", "score": 2.0},
    {"cause_id": "svc.facility_failure", "score": 1.5},
    {"cause_id": "beh.forgetful", "score": 0.2},
]


def test_when_the_model_agrees_with_retrieval_then_confidence_is_its_share_and_the_runner_up_is_secondary():
    out = from_model({"cause": "svc.slow_repair", "evidence": ["msg:m1"], "why": "报修迟迟不修"}, CANDIDATES)
    assert out["primary_cause_id"] == "svc.slow_repair"
    assert out["secondary_cause_ids"] == ["svc.facility_failure"]
    assert out["confidence"] == round(0.3 + 0.6 * 2.0 / 3.5, 2)
    assert out["citations"] == [{"cause_id": "svc.slow_repair", "evidence_ids": ["msg:m1"]}]
    assert out["explanation"] == "报修迟迟不修。"


def test_when_the_model_picks_a_weak_candidate_then_confidence_is_low_and_no_far_secondary_is_added():
    out = from_model({"cause": "beh.forgetful", "evidence": ["msg:m1"], "why": "忘记缴费"}, CANDIDATES)
    assert out["confidence"] < 0.45
    low = from_model({"cause": "svc.slow_repair", "evidence": ["msg:m1"], "why": "x"}, [CANDIDATES[0], CANDIDATES[2]])
    assert low["secondary_cause_ids"] == []  # 0.2 is under half of 2.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("业主多次投诉保洁。此外门禁故障频发，安全", "业主多次投诉保洁。"),
        ("楼梯口垃圾一直没人清，业主很不满意而且", "楼梯口垃圾一直没人清。"),
        ("已完整。", "已完整。"),
        ("没有标点", "没有标点。"),
    ],
)
def test_when_the_grammar_stops_the_model_mid_sentence_then_only_whole_sentences_are_kept(text, expected):
    assert whole_sentences(text, limit=19) == expected


def test_when_the_model_repeats_the_salutation_then_the_opening_does_not_name_the_owner_twice():
    assert with_opening(WECHAT, "【业主】，感谢您的理解").startswith("王女士，您好！感谢您的理解。关于")


def test_when_a_greeting_filled_the_cap_then_the_cut_sentence_is_dropped_with_it():
    from agent.messages import OPENING_MAX_CHARS

    cut = "【业主】，您好！感谢您的理解。我们已经注意到您最近多次投诉楼梯口垃圾袋堆积且保洁不及时一直没有人来处理"
    cut = cut[:OPENING_MAX_CHARS]
    assert len(cut) == OPENING_MAX_CHARS
    assert with_opening(WECHAT, cut) == "王女士，您好！感谢您的理解。关于您反映的问题，我们非常抱歉。"


def _chat(texts: list[str]):  # noqa: ANN202
    from tools.contracts import Evidence

    messages = [
        {"id": f"msg:m{i}", "time": f"2024-08-{i + 1:02d} 10:00", "speaker": "业主", "text": t}
        for i, t in enumerate(texts)
    ]
    return Evidence.from_sources(
        {"get_household_profile": {"id": "bill:1"}, "get_chat_messages": {"messages": messages}}
    )


def test_when_retrieval_matched_some_lines_then_the_digest_shows_those_and_the_latest_in_time_order():
    from agent.nodes.diagnose import owner_lines_for

    ev = _chat([f"第{i}条：电梯又坏了" if i in (1, 4) else f"第{i}条：在吗" for i in range(10)])
    shown = [m.id for m in owner_lines_for(ev, {"msg:m4", "msg:m1"}, limit=6)]
    assert shown == ["msg:m1", "msg:m4", "msg:m8", "msg:m9"]
    assert [m.id for m in owner_lines_for(ev, None, limit=3)] == ["msg:m7", "msg:m8", "msg:m9"]


def test_when_the_owner_repeats_a_line_then_the_digest_shows_it_once():
    from agent.nodes.diagnose import owner_lines_for

    ev = _chat(["楼道垃圾三天没人清了！！", "楼道垃圾三天没人清了！！", "你们到底管不管"])
    assert [m.id for m in owner_lines_for(ev, None, limit=6)] == ["msg:m0", "msg:m2"]


@pytest.mark.parametrize(
    ("opening", "unfit"),
    [
        ("我了解到您在楼下当着邻居的面受了委屈。", True),
        ("给您和家属添麻烦了。", True),
        ("再不处理就停水。", True),
        ("楼道垃圾的事给您添麻烦了。", False),
    ],
)
def test_when_an_opening_uses_a_word_no_template_may_use_then_it_is_dropped(opening, unfit):
    from agent.nodes.plan import unfit_opening

    assert unfit_opening(opening) is unfit


def test_when_the_model_mentions_a_neighbour_in_an_opening_then_the_step_keeps_its_template(agent_context, fake_model):
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.graph import build_graph
    from agent.runner import run_plan
    from tests.fakes import sensible_structured, step_seqs, step_texts

    def neighbourly(schema, messages):  # noqa: ANN001, ANN202
        if schema.__name__ == "StepOpenings":
            seqs = step_seqs("\n".join(str(m.content) for m in messages))
            return step_texts(schema, seqs, "您在楼下当着邻居的面受了委屈")
        return sensible_structured(schema, messages)

    fake_model.structured_handler = neighbourly
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, "BJ-PILOT/4-1203")
    outgoing = [s for s in state["plan"]["steps"] if s["outgoing"]]
    assert all("邻居" not in s["message"] for s in outgoing)
    assert outgoing[0]["message_source"] == "template" and state["validation"]["passed"]
