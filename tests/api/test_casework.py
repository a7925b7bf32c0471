"""Contact attempts, promises, instalments, disputes and opt-outs: created, listed, audited, consent enforced."""

from __future__ import annotations

from sqlalchemy import select

from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent

H = "/households/BJ-PILOT/4-1203"


def _actions(url: str) -> list[str]:
    with make_session_factory(make_engine(url))() as s:
        return s.execute(select(AuditEvent.action)).scalars().all()


def test_when_promise_and_instalment_are_recorded_then_they_are_listed(any_db_api):
    r = any_db_api.post(f"{H}/promises", json={"promised_date": "2024-09-15", "amount": "560.00"})
    assert r.status_code == 201 and r.json()["amount"] == "560.00"
    assert any_db_api.get(f"{H}/promises").json()[0]["promised_date"] == "2024-09-15"
    r = any_db_api.post(f"{H}/instalments", json={"months": 3, "start_date": "2024-09-10"})
    assert r.status_code == 201 and r.json()["amount_per_month"] == "560.00"
    assert any_db_api.post(f"{H}/instalments", json={"months": 13, "start_date": "2024-09-10"}).status_code == 422


def test_when_dispute_is_opened_then_queue_warns_red(api, api_url):
    r = api.post(f"{H}/disputes", json={"note": "6月账单重复计费"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    item = next(
        i for i in api.get("/queue", params={"limit": 500}).json()["items"] if i["household"] == "BJ-PILOT/4-1203"
    )
    assert item["warning"] == "red" and "有未结异议" in item["reasons"]
    assert "dispute.opened" in _actions(api_url)


def test_when_channel_is_opted_out_then_contact_on_it_is_409(api, api_url):
    assert api.post(f"{H}/opt-outs", json={"channel": "sms", "reason": "业主要求"}).status_code == 201
    r = api.post(f"{H}/contact-attempts", json={"channel": "sms", "outcome": "delivered"})
    assert r.status_code == 409 and "退订" in r.json()["detail"]
    ok = api.post(f"{H}/contact-attempts", json={"channel": "visit", "outcome": "answered", "text": "上门回访"})
    assert ok.status_code == 201 and api.get(f"{H}/contact-attempts").json()[0]["channel"] == "visit"
    lights = {x["channel"]: x for x in api.get(H).json()["reachability"]}
    assert lights["sms"]["color"] == "red" and "已退订" in lights["sms"]["reasons"]
    actions = _actions(api_url)
    assert "opt_out.recorded" in actions and "contact.recorded" in actions


def test_when_readonly_writes_then_403(api):
    r = api.post(f"{H}/promises", user="ro", json={"promised_date": "2024-09-15", "amount": "1"})
    assert r.status_code == 403
    assert api.get(f"{H}/promises", user="ro").status_code == 200
