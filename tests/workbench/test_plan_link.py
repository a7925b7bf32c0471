"""The pay-link token in the workbench: the plan panel labels it, and 立即发送 sends the household's live link."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from core.domain.collections.pay_link import PAY_LINK_LABEL, PAY_LINK_SHOWN, PAY_LINK_TOKEN
from data.db.collections import OutboxMessage
from data.db.session import make_engine, make_session_factory
from data.repositories.households import find_unit
from tests.workbench.test_case_panel import _approved_step

PILOT = "BJ-PILOT/4-1203"


def _session(url):  # noqa: ANN001, ANN202
    return make_session_factory(make_engine(url))()


def _draft(message: str) -> dict:
    step = {
        "seq": 1,
        "date": "2024-09-03",
        "window": ["10:00", "12:00"],
        "channel": "sms",
        "role_name": "管家",
        "action": "短信提醒",
        "message": message,
        "outgoing": True,
    }
    return {
        "diagnosis": {"primary_cause": {"name": "遗忘缴费", "dimension": "行为", "category": "习惯"}, "citations": []},
        "plan": {"stage": "预警", "strategy_label": "标准", "arrears": "1680.00", "notes": [], "steps": [step]},
        "validation": {"passed": True, "failures": []},
        "status": "approved",
    }


def test_when_a_draft_asks_for_the_pay_link_then_the_plan_panel_shows_the_label_not_a_link(page):
    at = page("household")
    at.session_state[f"plan:{PILOT}"] = _draft(f"您好，物业费 1680.00元 可通过{PAY_LINK_TOKEN}缴纳。回T退订")
    at.run()
    assert not at.exception, at.exception
    [row] = next(d.value for d in at.dataframe if "话术" in d.value.columns).to_dict("records")
    assert row["话术"] == f"您好，物业费 1680.00元 可通过{PAY_LINK_SHOWN}缴纳。回T退订"
    assert row["缴费链接"] == PAY_LINK_LABEL
    assert any(PAY_LINK_SHOWN in c.value and "不要填写网址" in c.value for c in at.caption)


def test_when_a_step_with_the_token_is_sent_now_then_the_owner_gets_the_households_live_bill_link(
    page, wb_url, monkeypatch
):
    from app.services import bill_links
    from app.services.tokens import token_secret
    from app.workbench.views import case_panel
    from core.settings import Settings

    class Morning(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206 - inside the contact window, whatever the wall clock says
            return cls(2024, 9, 2, 10, 0)

    monkeypatch.setattr(case_panel, "datetime", Morning)
    _approved_step(wb_url, f"您好，物业费 1680.00元 待缴，可通过{PAY_LINK_TOKEN}缴纳。回T退订")
    with _session(wb_url) as s:
        unit_id = find_unit(s, PILOT).id
    at = page("household")
    at.button(key=f"send_now_{PILOT}").click().run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("已通过") for m in at.success), [e.value for e in at.error]
    settings = Settings()
    with _session(wb_url) as s:
        [sent] = s.execute(select(OutboxMessage).where(OutboxMessage.unit_id == unit_id)).scalars().all()
        assert PAY_LINK_TOKEN not in sent.text and "pay.steward.local" not in sent.text
        [token] = re.findall(re.escape(settings.public_url.rstrip("/")) + r"/bill/([A-Za-z0-9_.-]+)", sent.text)
        assert bill_links.resolve(s, token_secret(settings), token)[1].id == unit_id
