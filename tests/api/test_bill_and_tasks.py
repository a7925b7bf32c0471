"""The owner's bill page: signed links, requests become steward tasks and audit events."""

from __future__ import annotations

from sqlalchemy import select

from app.services.tokens import TokenError, read_bill_link
from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent, Dispute, OptOut

H = "/households/BJ-PILOT/4-1203"
SECRET = "a-test-secret-of-at-least-32-bytes-long"


def _link(api) -> str:
    r = api.post(f"{H}/bill-link")
    assert r.status_code == 200
    return r.json()["url"]


def test_when_owner_opens_the_link_then_amount_and_details_are_shown(api):
    r = api.client.get(_link(api))
    assert r.status_code == 200 and "¥1680.00" in r.text and "2024-06" in r.text
    assert "13912345678" not in r.text and 'name="viewport"' in r.text


def test_when_token_is_forged_then_the_page_refuses(api):
    url = _link(api)
    assert api.client.get(url[:-3] + "abc").status_code == 404
    token = url.rsplit("/", 1)[1]
    try:
        read_bill_link(SECRET, token)  # signed with the app's key, not this one
    except TokenError as exc:
        assert "无效" in str(exc)
    else:
        raise AssertionError("a token under another key was accepted")


def test_when_owner_disputes_then_a_task_a_dispute_and_an_audit_event_exist(api, api_url):
    r = api.client.post(_link(api), data={"kind": "dispute", "note": "电梯坏了一个月没修"})
    assert r.status_code == 200 and "提交成功" in r.text
    tasks = api.get("/tasks").json()
    assert tasks[0]["kind"] == "dispute" and tasks[0]["household"] == "BJ-PILOT/4-1203"
    with make_session_factory(make_engine(api_url))() as s:
        assert s.execute(select(Dispute.note)).scalars().all()[-1] == "电梯坏了一个月没修"
        assert "bill.dispute_requested" in s.execute(select(AuditEvent.action)).scalars().all()
    done = api.post(f"/tasks/{tasks[0]['id']}/done")
    assert done.json()["status"] == "done" and api.get("/tasks").json() == []


def test_when_owner_opts_out_or_asks_invoice_then_both_are_recorded(api, api_url):
    url = _link(api)
    assert api.client.post(url, data={"kind": "invoice", "note": "抬头：个人"}).status_code == 200
    assert api.client.post(url, data={"kind": "opt_out"}).status_code == 200
    assert api.client.post(url, data={"kind": "instalment", "months": "6"}).status_code == 200
    kinds = {t["kind"] for t in api.get("/tasks").json()}
    assert kinds == {"invoice", "opt_out", "instalment"}
    with make_session_factory(make_engine(api_url))() as s:
        assert None in s.execute(select(OptOut.channel)).scalars().all()
    assert api.get(f"{H}/instalments").json()[0]["months"] == 6


def test_when_kind_is_unknown_then_400(api):
    assert api.client.post(_link(api), data={"kind": "refund"}).status_code == 400
