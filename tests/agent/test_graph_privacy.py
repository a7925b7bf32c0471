"""Names of family members and staff written in an owner's chat never reach a recorded prompt."""

from __future__ import annotations

from datetime import datetime

from langgraph.checkpoint.memory import InMemorySaver

from agent.graph import build_graph
from agent.runner import run_plan
from data.db.models import ChatMessage
from data.repositories.households import find_unit

PILOT = "BJ-PILOT/4-1203"
FAMILY = "宋立伟"
STAFF = "田振华"
NEIGHBOUR = "欧阳娜娜"


def test_when_chat_names_family_and_staff_then_no_full_name_reaches_the_model(agent_context, fake_model):
    with agent_context.session_factory() as s:
        unit = find_unit(s, PILOT)
        s.add_all(
            [
                ChatMessage(
                    unit_id=unit.id,
                    ext_id="privacy-1",
                    speaker_role="owner",
                    speaker_name="",
                    sent_at=datetime(2024, 8, 20, 9, 0),
                    text=f"我老公{FAMILY}说等楼道清理干净了再交物业费。",
                ),
                ChatMessage(
                    unit_id=unit.id,
                    ext_id="privacy-2",
                    speaker_role="owner",
                    speaker_name="",
                    sent_at=datetime(2024, 8, 20, 9, 5),
                    text=f"{STAFF}上周来过一次，{NEIGHBOUR}家门口的垃圾还是没人清。",
                ),
            ]
        )
        s.commit()
    run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    sent = fake_model.all_text()
    assert "楼道清理干净" in sent, "the added chat lines were not read"
    for name in (FAMILY, STAFF, NEIGHBOUR):
        assert name not in sent
    assert "【人员" in sent
