"""Login, tokens, roles and the demo users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.services.tokens import TokenError, issue_access_token, read_access_token
from app.services.users import authenticate, seed_demo
from data.db.session import make_engine, make_session_factory
from data.db.workflow import User

SECRET = "a-test-secret-of-at-least-32-bytes-long"


def test_when_password_is_right_then_login_returns_a_token_for_me(api):
    r = api.get("/auth/me", user="demo")
    assert r.status_code == 200
    assert r.json() == {
        "username": "demo",
        "display_name": "演示管家",
        "role": "steward",
        "projects": ["BJ-PILOT", "SH-PD"],
    }


def test_when_password_is_wrong_then_login_is_401_in_chinese(api):
    r = api.client.post("/auth/login", data={"username": "demo", "password": "nope"})
    assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"


def test_when_no_or_forged_token_then_routes_answer_401(api):
    assert api.client.get("/queue").status_code == 401
    forged = issue_access_token("another-secret-of-at-least-32-bytes!!", "demo")
    r = api.client.get("/queue", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and "登录" in r.json()["detail"]


def test_when_token_is_expired_then_reading_it_fails():
    old = issue_access_token(SECRET, "demo", now=datetime.now(UTC) - timedelta(days=2))
    try:
        read_access_token(SECRET, old)
    except TokenError as exc:
        assert "过期" in str(exc)
    else:
        raise AssertionError("expired token accepted")


def test_when_demo_is_seeded_twice_then_it_is_idempotent_and_passwords_are_hashed(api_url):
    factory = make_session_factory(make_engine(api_url))
    with factory() as session:
        assert seed_demo(session) == []
        user = session.execute(select(User).where(User.username == "demo")).scalar_one()
        assert user.password_hash.startswith("$2") and "steward-demo" not in user.password_hash
        assert authenticate(session, "manager", "steward-demo").role == "manager"
        assert authenticate(session, "compliance", "steward-demo").scope.projects is None


def test_when_manager_logs_in_then_every_project_is_visible(api):
    projects = api.get("/auth/me", user="manager").json()["projects"]
    assert "BJ-PILOT" in projects and "SH-PD" in projects and len(projects) == 8
