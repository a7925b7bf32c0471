"""One embedded model server for the end-to-end tests: started once if not running, stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.settings import Settings
from tests.conftest import models_dir


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings in a fresh folder with a running endpoint (the process is ours to stop when we started it)."""
    from app.llm_server.lifecycle import ensure_endpoint

    settings = Settings(var_dir=tmp_path_factory.mktemp("e2e"), models_dir=models_dir())
    started = ensure_endpoint(settings)
    yield settings
    if started is not None:
        started.terminate()
        started.wait(timeout=30)
