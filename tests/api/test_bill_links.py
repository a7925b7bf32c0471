"""Finding 6: bill links are revocable and rotate, expire server-side after STEWARD_BILL_LINK_TTL_DAYS (410 with a
Chinese page), every sent message mints a fresh link, owner posts are idempotent, links are rate limited, bill
responses carry security headers, tokens stay out of access logs, minting and expiry are audited, /tasks is
paginated."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

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


# --- Link lifetime (STEWARD_BILL_LINK_TTL_DAYS), server-side expiry, a fresh link in every message sent ---


def _row(url: str, link_id: str):  # noqa: ANN202
    from data.db.workbench import BillLink

    with make_session_factory(make_engine(url))() as s:
        return s.execute(select(BillLink).where(BillLink.link_id == link_id)).scalar_one()


def _set_expiry(url: str, token: str, expires_at: datetime) -> None:
    from app.services.bill_links import link_id_of
    from data.db.workbench import BillLink

    with make_session_factory(make_engine(url))() as s:
        row = s.execute(select(BillLink).where(BillLink.link_id == link_id_of(SECRET_OF[url], token))).scalar_one()
        row.expires_at = expires_at
        s.commit()


SECRET_OF: dict[str, str] = {}


def _secret(api, url: str) -> str:  # noqa: ANN001
    SECRET_OF[url] = api.client.app.state.steward.secret
    return SECRET_OF[url]


def test_finding6_the_link_lifetime_is_a_setting_of_seven_days_by_default(api, api_url, monkeypatch):
    from core.settings import Settings

    assert Settings().bill_link_ttl_days == 7
    monkeypatch.setenv("STEWARD_BILL_LINK_TTL_DAYS", "3")
    assert Settings().bill_link_ttl_days == 3
    monkeypatch.setenv("STEWARD_BILL_LINK_TTL_DAYS", "0")
    with pytest.raises(ValueError):
        Settings()
    before = datetime.now(UTC).replace(tzinfo=None)
    r = api.post(f"{H}/bill-link")
    expires = datetime.fromisoformat(r.json()["expires_at"])
    assert before + timedelta(days=7) - timedelta(seconds=5) <= expires <= before + timedelta(days=7, minutes=5)
    [issued] = [e for e in _audit(api_url) if e.action == "bill.link_issued"]
    assert issued.detail["ttl_days"] == 7 and issued.detail["expires_at"] == r.json()["expires_at"]


def test_finding6_an_expired_link_answers_410_with_a_chinese_page_and_no_household_data(api, api_url):
    _secret(api, api_url)
    url = _link(api)
    assert api.client.get(url).status_code == 200
    # The stored row says the lifetime is over (the token's own signed expiry is still a week away): the server
    # decides, not the token.
    _set_expiry(api_url, url.rsplit("/", 1)[1], datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1))
    page = api.client.get(url)
    assert page.status_code == 410
    assert "链接已过期" in page.text and "7 天" in page.text and "最近发给您的缴费提醒" in page.text
    assert "管家" in page.text
    for leak in ("¥", "1680", "2024-06", "王", "分期", "form"):
        assert leak not in page.text, leak
    assert page.headers["Cache-Control"] == "no-store"
    assert api.client.post(url, data={"kind": "dispute", "note": "x"}).status_code == 410
    assert api.client.post(f"{url}/pay", data={"part": "all"}).status_code == 410
    assert api.get("/tasks").json() == []
    expired = [e for e in _audit(api_url) if e.action == "bill.link_expired"]
    assert len(expired) == 1 and expired[0].detail["household"] == "BJ-PILOT/4-1203"  # audited once, not per visit


def test_finding6_a_token_past_its_signed_expiry_is_refused_even_when_the_row_says_otherwise(api, api_url):
    from app.services import bill_links
    from data.db.models import Unit

    secret = _secret(api, api_url)
    engine = make_engine(api_url)
    with make_session_factory(engine)() as s:
        unit = s.execute(select(Unit).where(Unit.code == "4-1203")).scalar_one()
        old = bill_links.issue(
            s,
            secret,
            unit,
            actor="demo",
            at=datetime(2024, 9, 2, 9),
            ttl=timedelta(days=7),
            now=datetime.now(UTC) - timedelta(days=8),
        )
        s.commit()
    _set_expiry(api_url, old.token, datetime(2099, 1, 1))
    r = api.client.get(f"/bill/{old.token}")
    assert r.status_code == 410 and "已过期" in r.text and "¥" not in r.text
    assert _row(api_url, old.link_id).revoke_reason == "expired"


def test_finding6_a_forged_or_rotated_link_still_answers_404_not_410(api, api_url):
    first = _link(api)
    _link(api)
    assert api.client.get(first).status_code == 404
    assert api.client.get(first[:-4] + "abcd").status_code == 404


class _Broken:
    """A channel that fails every send."""

    def supports(self, channel: str) -> bool:
        return True

    def send(self, message):  # noqa: ANN001, ANN201
        from app.channels.base import ChannelError

        raise ChannelError("gateway down")


def test_finding6_every_sent_message_carries_a_fresh_link_and_the_previous_message_link_stops_working(api, api_url):
    from app.channels import OutboxAdapter, ReceiptSimulator
    from app.services.bill_links import SendLinks, link_id_of
    from app.services.collections.sending import SendRequest, send_contact
    from core.domain.collections.policy import PolicyConfig
    from data.db.models import Unit
    from data.db.workbench import BillLink

    secret = _secret(api, api_url)
    links = SendLinks(secret, "http://testserver", timedelta(days=7))
    always = {c: (1.0, 0.0, 0.0, 0.0) for c in ("sms", "wechat", "email", "phone", "visit")}
    factory = make_session_factory(make_engine(api_url))
    steward_link = _link(api)  # a link the steward handed out earlier

    def send(day: int, adapters) -> tuple[str, str]:  # noqa: ANN001
        with factory() as s:
            unit = s.execute(select(Unit).where(Unit.code == "4-1203")).scalar_one()
            req = SendRequest(
                key=f"test-reminder:{day}",
                owner_id=unit.owner_id,
                unit_id=unit.id,
                channels=("sms",),
                text="【业主】您好，本期物业费待缴，查看账单 https://pay.steward.local/b/demo 回T退订",
                at=datetime(2024, 9, day, 10),
                links=links,
            )
            result = send_contact(s, req, adapters=adapters(s), policy=PolicyConfig(), actor="batch")
            s.commit()
            text = s.execute(select(OutboxMessage.text).order_by(OutboxMessage.id.desc())).scalars().first() or ""
        return result.status, text

    from data.db.collections import OutboxMessage

    status, first = send(3, lambda s: [OutboxAdapter(s, ReceiptSimulator(rates=always))])
    assert status == "sent" and "pay.steward.local" not in first
    first_url = "/bill/" + first.split("http://testserver/bill/", 1)[1].split()[0]
    assert api.client.get(first_url).status_code == 200
    assert api.client.get(steward_link).status_code == 404  # the newest message holds the live link

    status, second = send(4, lambda s: [OutboxAdapter(s, ReceiptSimulator(rates=always))])
    second_url = "/bill/" + second.split("http://testserver/bill/", 1)[1].split()[0]
    assert status == "sent" and second_url != first_url
    assert api.client.get(first_url).status_code == 404
    assert api.client.get(second_url).status_code == 200

    # A message that reaches nobody does not rotate the link out of the owner's last message.
    with factory() as s:
        before = s.execute(select(BillLink.link_id)).scalars().all()
    status, _ = send(5, lambda s: [_Broken()])
    assert status == "failed"
    assert api.client.get(second_url).status_code == 200
    with factory() as s:
        rows = {r.link_id: r for r in s.execute(select(BillLink)).scalars()}
    [failed_link] = set(rows) - set(before)
    assert rows[failed_link].revoke_reason == "undelivered"
    assert rows[link_id_of(secret, second_url.rsplit("/", 1)[1])].revoked_at is None
    issued = [e for e in _audit(api_url) if e.action == "bill.link_issued"]
    assert [e.detail["purpose"] for e in issued] == ["steward", "message", "message", "message"]
