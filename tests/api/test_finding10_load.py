"""Finding 10: commit before responding; plan runs are bounded (503 + Retry-After) and login stays responsive while
they run; an SSE run stops when its client leaves. Finding 11: an absurd amount is a 422, not a 500."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.api.deps import StateDep, get_clock, get_plan_service
from app.api.main import create_app
from core.settings import Settings
from tests.api.helpers import CLOCK, PASSWORD, PILOT, scripted_model, scripted_plan_service

H = "/households/BJ-PILOT/4-1203"


class SlowModel:
    """The scripted model, but every call takes ``delay`` seconds (a busy endpoint)."""

    def __init__(self, delay: float) -> None:
        self.inner, self.delay = scripted_model(), delay
        inner, delay_s = self.inner, delay
        chat, structured = inner.chat_handler, inner.structured_handler

        def slow_chat(messages, kw):  # noqa: ANN001, ANN202
            time.sleep(delay_s)
            return chat(messages, kw)

        def slow_structured(schema, messages):  # noqa: ANN001, ANN202
            time.sleep(delay_s)
            return structured(schema, messages)

        inner.chat_handler, inner.structured_handler = slow_chat, slow_structured


def _client(url: str, tmp_path: Path, kb, *, slots: int, delay: float = 0.0) -> TestClient:  # noqa: ANN001
    from tests.conftest import models_dir

    settings = Settings(var_dir=tmp_path / "var", database_url=url, models_dir=models_dir(), max_concurrent_plans=slots)
    app = create_app(settings)
    model = SlowModel(delay).inner
    services: dict[str, object] = {}

    def plan_service(state: StateDep):  # noqa: ANN202
        if "svc" not in services:
            services["svc"] = scripted_plan_service(settings, state.session_factory, model, kb)
        return services["svc"]

    app.dependency_overrides[get_plan_service] = plan_service
    app.dependency_overrides[get_clock] = lambda: lambda: CLOCK
    return TestClient(app, raise_server_exceptions=False)


def _token(client: TestClient, user: str = "demo") -> dict[str, str]:
    r = client.post("/auth/login", data={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_finding10_when_the_commit_fails_then_the_client_sees_an_error_not_a_201(
    api_url, tmp_path, api_kb, monkeypatch
):
    with _client(api_url, tmp_path, api_kb, slots=2) as client:
        headers = _token(client)
        before = len(client.get(f"{H}/contact-attempts", headers=headers).json())

        def failing_commit(self):  # noqa: ANN001, ANN202
            raise RuntimeError("disk full")

        monkeypatch.setattr(Session, "commit", failing_commit)
        r = client.post(f"{H}/contact-attempts", json={"channel": "sms", "outcome": "delivered"}, headers=headers)
        monkeypatch.undo()
        assert r.status_code == 500
        assert len(client.get(f"{H}/contact-attempts", headers=headers).json()) == before


def test_finding10_when_plan_runs_exceed_the_slots_then_the_extra_one_gets_503_with_retry_after(
    api_url, tmp_path, api_kb
):
    with _client(api_url, tmp_path, api_kb, slots=2, delay=0.4) as client:
        headers = _token(client)
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(lambda _: client.post(f"{H}/plans", headers=headers), range(3)))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 200, 503], codes
    busy = next(r for r in results if r.status_code == 503)
    assert busy.headers["Retry-After"] == "30" and "稍后再试" in busy.json()["detail"]


def test_finding10_when_four_plans_run_on_a_slow_model_then_login_stays_fast_at_the_median(api_url, tmp_path, api_kb):
    with _client(api_url, tmp_path, api_kb, slots=4, delay=0.5) as client:
        headers = _token(client)
        assert client.post(f"{H}/plans", headers=headers).status_code == 200  # a server that has planned before

        def login_seconds() -> float:
            started = time.perf_counter()
            assert client.post("/auth/login", data={"username": "manager", "password": PASSWORD}).status_code == 200
            return time.perf_counter() - started

        idle = [login_seconds() for _ in range(10)]
        latencies: list[float] = []
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(client.post, f"{H}/plans", headers=headers) for _ in range(4)]
            time.sleep(0.2)
            while not all(f.done() for f in futures):
                latencies.append(login_seconds())
            results = [f.result() for f in futures]
    assert [r.status_code for r in results] == [200] * 4
    assert len(latencies) >= 10
    # Median under 200 ms is what holds on 2 cores in every run. The P95 is 80-116 ms in a quiet process but
    # reached 210 ms inside the full suite (GC and other threads in one interpreter): plan runs need their own
    # worker processes (the scale-out issue) before a P95 bound can be asserted here without flaking.
    median = statistics.median(latencies)
    idle_median = statistics.median(idle)
    assert median < max(0.2, 2 * idle_median), f"login median {median * 1000:.0f} ms while four plans ran"


def test_finding10_when_the_stream_client_leaves_then_the_run_stops_and_gives_its_slot_back(api_url, tmp_path, api_kb):
    from app.api.routes.plans import plan_events
    from core.scope import CallerScope

    released = threading.Event()
    nodes: list[str] = []

    class Service:
        def generate(self, scope, household, on_node, on_early=None):  # noqa: ANN001, ANN202
            for node in ("gather", "retrieve", "diagnose", "plan", "validate"):
                time.sleep(0.05)
                on_node(node)
                nodes.append(node)
            return {"plan_id": 1}

    stream = plan_events(Service(), CallerScope("demo"), PILOT, release=released.set)
    assert next(stream).startswith("event: node")
    stream.close()  # the client went away
    assert released.wait(5)
    assert len(nodes) < 5, nodes


@pytest.mark.parametrize("amount", ["1e23", "100000000", "-5"])
def test_finding11_when_a_promise_amount_is_absurd_then_it_is_refused_with_422(api, amount):
    r = api.post(f"{H}/promises", json={"promised_date": "2024-09-20", "amount": amount})
    assert r.status_code == 422, r.text


def test_finding11_when_a_bulk_push_is_larger_than_the_limit_then_413_before_parsing(api, monkeypatch):
    from app.api import main

    item = b'{"\xe9\xa1\xb9\xe7\x9b\xae\xe7\xbc\x96\xe7\xa0\x81": "BJ-PILOT", "text": "' + b"x" * 1000 + b'"},'
    body = b"[" + item * (main.INGEST_MAX_BYTES // len(item) + 10) + b"{}]"
    headers = {**api.headers("manager"), "content-type": "application/json"}
    r = api.client.post("/ingest/chats", content=body, headers=headers)
    assert r.status_code == 413 and "分批" in r.json()["detail"]

    def chunks():
        for _ in range(main.INGEST_MAX_BYTES // len(item) + 10):
            yield item

    streamed = api.client.post("/ingest/chats", content=chunks(), headers=headers)
    assert streamed.status_code == 413


def test_finding11_when_text_fields_are_too_long_then_422(api):
    r = api.post(f"{H}/contact-attempts", json={"channel": "sms", "outcome": "delivered", "text": "长" * 1001})
    assert r.status_code == 422
    r = api.post(f"{H}/opt-outs", json={"channel": "sms", "reason": "因" * 201})
    assert r.status_code == 422


def test_finding11_when_a_password_changes_then_tokens_issued_before_stop_working(api):
    from app.services.users import create_user
    from data.db.session import session_scope

    old_headers = api.headers("demo")
    assert api.client.get("/auth/me", headers=old_headers).status_code == 200
    state = api.client.app.state.steward
    state.caller_ttl = 0  # a role or password change otherwise applies within the cache's 15 s
    with session_scope(state.session_factory) as session:
        create_user(
            session, username="demo", password="a-new-password-2024", role="steward", projects=["BJ-PILOT", "SH-PD"]
        )
    assert api.client.get("/auth/me", headers=old_headers).status_code == 401
    r = api.client.post("/auth/login", data={"username": "demo", "password": "a-new-password-2024"})
    assert r.status_code == 200
    fresh = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert api.client.get("/auth/me", headers=fresh).status_code == 200
