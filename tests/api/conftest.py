"""API fixtures: a generated portfolio on SQLite (and PostgreSQL via db_url), clients logged in per user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.deps import StateDep, get_clock, get_plan_service
from app.api.main import create_app
from core.settings import Settings
from tests.api.helpers import (
    CLOCK,
    PASSWORD,
    build_portfolio,
    copy_template,
    scripted_model,
    scripted_plan_service,
)
from tests.fakes import LexicalKB


@pytest.fixture(scope="session")
def api_kb() -> LexicalKB:
    return LexicalKB()


@pytest.fixture(scope="session")
def api_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api_portfolio") / "sample.db"
    build_portfolio(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def api_url(api_template: Path, tmp_path: Path) -> str:
    """A private SQLite copy of the generated portfolio with users."""
    return copy_template(api_template, tmp_path / "api.db")


@pytest.fixture
def pg_portfolio_url(db_url: str, api_template: Path, tmp_path: Path) -> str:
    """The portfolio on SQLite (copied) or PostgreSQL (generated)."""
    if db_url.startswith("sqlite"):
        return copy_template(api_template, tmp_path / "api.db")
    build_portfolio(db_url).dispose()
    return db_url


class Api:
    """A TestClient with helpers to log in as a user."""

    def __init__(self, client: TestClient, model) -> None:  # noqa: ANN001
        self.client = client
        self.model = model
        self._tokens: dict[str, str] = {}

    def headers(self, user: str) -> dict[str, str]:
        if user not in self._tokens:
            r = self.client.post("/auth/login", data={"username": user, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self._tokens[user] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[user]}"}

    def get(self, path: str, user: str = "demo", **kw):  # noqa: ANN201
        return self.client.get(path, headers=self.headers(user), **kw)

    def post(self, path: str, user: str = "demo", **kw):  # noqa: ANN201
        return self.client.post(path, headers=self.headers(user), **kw)

    def patch(self, path: str, user: str = "demo", **kw):  # noqa: ANN201
        return self.client.patch(path, headers=self.headers(user), **kw)

    def put(self, path: str, user: str = "demo", **kw):  # noqa: ANN201
        return self.client.put(path, headers=self.headers(user), **kw)


def make_api(url: str, tmp_path: Path, kb: LexicalKB) -> Iterator[Api]:
    from tests.conftest import models_dir

    settings = Settings(var_dir=tmp_path / "var", database_url=url, models_dir=models_dir())
    app = create_app(settings)
    model = scripted_model()
    services: dict[str, object] = {}

    def plan_service(state: StateDep):  # noqa: ANN202
        if "svc" not in services:
            services["svc"] = scripted_plan_service(settings, state.session_factory, model, kb)
        return services["svc"]

    app.dependency_overrides[get_plan_service] = plan_service
    app.dependency_overrides[get_clock] = lambda: lambda: CLOCK
    with TestClient(app) as client:
        yield Api(client, model)


@pytest.fixture
def api(api_url: str, tmp_path: Path, api_kb: LexicalKB) -> Iterator[Api]:
    yield from make_api(api_url, tmp_path, api_kb)


@pytest.fixture
def any_db_api(pg_portfolio_url: str, tmp_path: Path, api_kb: LexicalKB) -> Iterator[Api]:
    """The API on SQLite and on PostgreSQL."""
    yield from make_api(pg_portfolio_url, tmp_path, api_kb)
