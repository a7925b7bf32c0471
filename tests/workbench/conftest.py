"""Workbench fixtures: a generated portfolio with users, the scripted model switched on, AppTest per page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.api.helpers import build_portfolio, copy_template


@pytest.fixture(scope="session")
def wb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wb_portfolio") / "sample.db"
    build_portfolio(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def wb_url(wb_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private portfolio copy, selected through STEWARD_* variables as the running workbench would be."""
    url = copy_template(wb_template, tmp_path / "wb.db")
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_VAR_DIR", str(tmp_path / "var"))
    from app.runtime import clear_overrides
    from tests.support.scripted_host import install_scripted_runtime

    install_scripted_runtime()
    yield url
    clear_overrides()


def _page_script(name: str) -> None:
    from app.workbench.shell import render_single

    render_single(name)


@pytest.fixture
def page(wb_url: str) -> Callable[..., AppTest]:
    """Open one page as a user (None = logged out)."""

    def open_page(name: str, user: str | None = "demo") -> AppTest:
        at = AppTest.from_function(_page_script, kwargs={"name": name}, default_timeout=60)
        if user:
            at.session_state["user"] = user
        return at.run()

    return open_page
