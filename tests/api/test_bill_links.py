"""Finding 6: bill links are revocable and rotate, owner posts are idempotent, links are rate limited, bill
responses carry security headers, tokens stay out of access logs, minting is audited, /tasks is paginated."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.security.ratelimit import RateLimits
from data.db.session import make_engine, make_session_factory
from data.db.workbench import StewardTask
from data.db.workflow import AuditEvent, Dispute

H = "/households/BJ-PILOT/4-1203"


def _link(api, user: str = "demo") -> str:
    r = api.post(f"{H}/bill-link", user=user)
    assert r.status_code == 200, r.text
    return r.json()["url"]


def _audit(url: str) -> list[AuditEvent]:
    with make_session_factory(make_engine(url))() as s:
        return s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()


def test_finding6_issuing_a_new_link_rotates_the_old_one_out_and_minting_is_audited(api, api_url):
    first = _link(api)
    assert api.client.get(first).status_code == 200
    second = _link(api)
    old = api.client.get(first)
    assert old.status_code == 404 and "失效" in old.text
    assert api.client.get(second).status_code == 200
    issued = [e for e in _audit(api_url) if e.action == "bill.link_issued"]
    assert len(issued) == 2 and {e.actor for e in issued} == {"demo"}
    assert issued[0].detail["household"] == "BJ-PILOT/4-1203" and issued[1].detail["rotated"] == 1
    assert all(e.entity_id and e.entity_id not in second for e in issued[:1])  # the token itself is not logged


def test_finding6_a_revoked_link_stops_working_at_once(api, api_url):
    url = _link(api)
    r = api.client.delete(f"{H}/bill-link", headers=api.headers("demo"))
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert api.client.get(url).status_code == 404
    assert api.client.post(url, data={"kind": "dispute", "note": "x"}).status_code == 404
    assert "bill.link_revoked" in [e.action for e in _audit(api_url)]
    assert api.client.delete(f"{H}/bill-link", headers=api.headers("ro")).status_code == 403


def test_finding6_identical_owner_posts_make_one_task_and_one_dispute(api, api_url):
    url = _link(api)
    for _ in range(5):
        r = api.client.post(url, data={"kind": "dispute", "note": "电梯坏了一个月没修"})
        assert r.status_code == 200 and "提交成功" in r.text
    tasks = api.get("/tasks").json()
    assert [t["kind"] for t in tasks] == ["dispute"]
    with make_session_factory(make_engine(api_url))() as s:
        assert s.execute(select(Dispute.note)).scalars().all().count("电梯坏了一个月没修") == 1
    # Another request is another task; once handled, the same request may be made again.
    api.client.post(url, data={"kind": "dispute", "note": "物业费单价不对"})
    assert len(api.get("/tasks").json()) == 2
    api.post(f"/tasks/{tasks[0]['id']}/done")
    api.client.post(url, data={"kind": "dispute", "note": "电梯坏了一个月没修"})
    assert len(api.get("/tasks").json()) == 2 and len(api.get("/tasks?status=done").json()) == 1


def test_finding6_the_database_holds_one_open_task_per_identical_request(api, api_url):
    api.client.post(_link(api), data={"kind": "invoice", "note": "抬头：个人"})
    with make_session_factory(make_engine(api_url))() as s:
        task = s.execute(select(StewardTask)).scalars().one()
        s.add(
            StewardTask(
                unit_id=task.unit_id,
                kind=task.kind,
                note=task.note,
                source="bill_page",
                status="open",
                created_at=task.created_at,
                open_fingerprint=task.open_fingerprint,
            )
        )
        with pytest.raises(IntegrityError):
            s.flush()


def test_finding6_a_link_is_rate_limited_per_link(api):
    api.client.app.state.steward.rate_limits = RateLimits("memory://", bill_link="6/minute", bill_post="2/hour")
    url = _link(api)
    for note in ("一", "二"):
        assert api.client.post(url, data={"kind": "invoice", "note": note}).status_code == 200
    r = api.client.post(url, data={"kind": "invoice", "note": "三"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0 and "频繁" in r.text
    codes = [api.client.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api.client.get(_link(api)).status_code == 200  # a new link has its own window


@pytest.mark.parametrize("case", ["page", "invalid", "unprocessable"])
def test_finding6_bill_responses_carry_no_store_no_referrer_csp_and_frame_headers(api, case):
    url = _link(api)
    r = {
        "page": lambda: api.client.get(url),
        "invalid": lambda: api.client.get("/bill/forged.token"),
        "unprocessable": lambda: api.client.post(url, data={}),
    }[case]()
    assert r.status_code == {"page": 200, "invalid": 404, "unprocessable": 422}[case]
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none' forbids scripts
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"


def test_finding6_the_token_never_reaches_the_access_log(api, caplog):
    token = _link(api).rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The record uvicorn's access logger writes for a request.
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5555", "GET", f"/bill/{token}?x=1", "1.1", 200
        )
    assert caplog.records and token not in caplog.text and "/bill/[redacted]" in caplog.text


def test_finding6_tasks_are_paginated_with_a_total_and_documented(api):
    url = _link(api)
    for i in range(5):
        api.client.post(url, data={"kind": "invoice", "note": f"抬头 {i}"})
    first = api.get("/tasks?limit=2")
    assert len(first.json()) == 2 and first.headers["x-total-count"] == "5"
    last = api.get("/tasks?limit=2&offset=4").json()
    assert len(last) == 1 and last[0]["note"] == "抬头 0"
    assert api.get("/tasks?limit=500").status_code == 422
    params = {p["name"] for p in api.client.app.openapi()["paths"]["/tasks"]["get"]["parameters"]}
    assert {"limit", "offset"} <= params


def test_finding2_owner_and_project_text_on_the_bill_page_is_escaped(api, api_url):
    from data.db.models import Project

    payload = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    with make_session_factory(make_engine(api_url))() as s:
        s.query(Project).filter(Project.code == "BJ-PILOT").update({"name": payload})
        s.commit()
    page = api.client.get(_link(api)).text
    assert "<img" not in page and "<script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;" in page


def test_finding6_a_running_server_writes_no_bill_token_to_its_access_log(api_url, tmp_path):
    import os
    import socket
    import sys

    import httpx

    from app.run_all import start, stop, wait_healthy

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "STEWARD_DATABASE_URL": api_url, "STEWARD_VAR_DIR": str(tmp_path / "var")}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "info",
    ]
    procs = start([cmd], env=env, log_dir=tmp_path)
    token = "c2VjcmV0LXRva2VuLWJvZHk.c2lnbmF0dXJlLWJ5dGVz"
    try:
        wait_healthy(f"http://127.0.0.1:{port}/health", procs)
        assert httpx.get(f"http://127.0.0.1:{port}/bill/{token}?from=sms").status_code == 404
    finally:
        stop(procs)
    log = (tmp_path / "service-0.log").read_text(encoding="utf-8")
    assert "GET /bill/[redacted]" in log and token not in log
