"""Finding 8: login throttling on the `limits` library, per user and per address, shared storage, no enumeration."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.api.main import create_app
from app.security.ratelimit import RateLimits, get_rate_limits
from app.services import users
from core.settings import Settings
from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent
from tests.api.helpers import PASSWORD, build_portfolio, copy_template

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def login_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("login") / "sample.db"
    build_portfolio(f"sqlite:///{path}", households=20).dispose()
    return path


def _client(template: Path, tmp_path: Path, **settings: object) -> tuple[TestClient, str, Settings]:
    url = copy_template(template, tmp_path / "login.db")
    cfg = Settings(var_dir=tmp_path / "var", database_url=url, **settings)
    return TestClient(create_app(cfg)), url, cfg


def _login(client: TestClient, user: str, password: str) -> int:
    return client.post("/auth/login", data={"username": user, "password": password}).status_code


def test_finding8_spraying_many_usernames_from_one_address_is_limited(login_template, tmp_path):
    client, _, _ = _client(login_template, tmp_path, login_limit_ip="20/minute")
    with client:
        codes = [_login(client, f"spray{i}", "guess") for i in range(20)]
        assert codes == [401] * 20
        # The address used up its window: even the right password of a user never tried is refused now.
        assert _login(client, "manager", PASSWORD) == 429


def test_finding8_failed_logins_are_audited_without_the_password(login_template, tmp_path):
    client, url, _ = _client(login_template, tmp_path)
    with client:
        assert _login(client, "demo", "wrong-pass-1") == 401
        assert _login(client, "nobody-here", "wrong-pass-2") == 401
    with make_session_factory(make_engine(url))() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.action == "user.login_failed")).scalars().all()
        assert sorted(r.entity_id for r in rows) == ["demo", "nobody-here"]
        assert all(r.detail["via"] == "api" and "wrong-pass" not in str(r.detail) for r in rows)


def test_finding8_stale_keys_are_dropped_by_the_storage_expiry():
    limits = RateLimits("memory://", login_user="5/1 second", login_ip="100000/1 second")
    for i in range(2000):
        limits.login_failed(f"user{i}", "10.0.0.1")
    assert len(limits.storage.storage) >= 2000
    time.sleep(1.2)
    limits.login_failed("late", "10.0.0.2")  # any activity runs the storage's expiry
    time.sleep(0.2)
    assert len(limits.storage.storage) <= 2


def test_finding8_unknown_user_costs_a_bcrypt_check_like_a_known_one(login_template, tmp_path, monkeypatch):
    import bcrypt

    calls: list[bytes] = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, hashed: calls.append(hashed) or real(pw, hashed))
    engine = make_engine(copy_template(login_template, tmp_path / "t.db"))
    with make_session_factory(engine)() as session:
        users.authenticate(session, "demo", "warm-up")  # the dummy hash and caches are made once
        users.authenticate(session, "no-such-user", "warm-up")
        calls.clear()
        assert users.authenticate(session, "no-such-user", "x") is None
        assert len(calls) == 1 and calls[0].decode() == users.dummy_hash()

        def timed(name: str) -> float:
            start = time.perf_counter()
            for _ in range(4):
                users.authenticate(session, name, "wrong")
            return time.perf_counter() - start

        known, unknown = timed("demo"), timed("no-such-user")
    engine.dispose()
    assert unknown >= 0.5 * known, (known, unknown)


def test_finding8_redis_storage_is_shared_by_the_api_and_the_workbench(login_template, tmp_path):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail("Redis on 127.0.0.1:6379 is not running")
    namespace = f"test-{uuid.uuid4().hex[:8]}"
    client, _, cfg = _client(login_template, tmp_path, ratelimit_storage_url=REDIS_URL, ratelimit_namespace=namespace)
    with client:
        for _ in range(5):
            assert _login(client, "demo", "wrong") == 401
        assert _login(client, "demo", PASSWORD) == 429
    # The workbench builds its limits from the same settings: it sees the API's failures.
    workbench = get_rate_limits(cfg)
    assert workbench.login_retry_after("demo", "another-address") > 0
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{namespace}*")
    assert keys and all(redis.Redis.from_url(REDIS_URL).ttl(k) > 0 for k in keys)  # Redis drops them itself
