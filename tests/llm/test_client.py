"""Endpoint detection, health URL, model-file checks and on-demand start of the embedded endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.llm.client import health_url, is_embedded_endpoint
from app.llm_server import lifecycle
from app.llm_server.lifecycle import ensure_endpoint
from app.llm_server.server import ModelFileError, endpoint_address, free_port, verify_model_file
from core.settings import Settings


@pytest.mark.parametrize(
    ("url", "model", "embedded"),
    [
        ("http://127.0.0.1:8765/v1", "qwen2.5-coder-1.5b-instruct", True),
        ("http://localhost:9000/v1", "qwen2.5-coder-1.5b-instruct", True),
        ("http://127.0.0.1:11434/v1", "llama3", False),
        ("https://api.example.com/v1", "qwen2.5-coder-1.5b-instruct", False),
        ("http://10.1.2.3:8000/v1", "qwen2.5-coder-1.5b-instruct", False),
    ],
)
def test_when_endpoint_is_loopback_with_embedded_model_then_it_is_embedded(url, model, embedded):
    assert is_embedded_endpoint(Settings(llm_base_url=url, llm_model=model)) is embedded


def test_when_base_url_ends_with_v1_then_health_is_at_the_root():
    assert health_url(Settings(llm_base_url="http://127.0.0.1:8765/v1/")) == "http://127.0.0.1:8765/health"
    assert endpoint_address(Settings(llm_base_url="http://127.0.0.1:8765/v1")) == (
        "127.0.0.1",
        8765,
    )


def test_when_endpoint_is_not_embedded_then_ensure_does_nothing(tmp_path: Path):
    settings = Settings(llm_base_url="https://api.example.com/v1", llm_model="gpt-x", var_dir=tmp_path)
    assert ensure_endpoint(settings, timeout=1) is None
    assert not (tmp_path / "logs").exists()


def test_when_model_file_is_missing_then_error_names_path_and_make_models(tmp_path: Path):
    settings = Settings(models_dir=tmp_path)
    with pytest.raises(ModelFileError) as info:
        verify_model_file(settings)
    message = str(info.value)
    assert str(settings.llm_model_file) in message and "make models" in message and "不存在" in message


def test_when_model_file_has_wrong_size_then_error_says_so(tmp_path: Path):
    settings = Settings(models_dir=tmp_path)
    settings.llm_model_file.write_bytes(b"GGUF" * 10)
    with pytest.raises(ModelFileError, match="大小不对"):
        verify_model_file(settings)


def test_when_embedded_endpoint_is_down_and_model_missing_then_ensure_raises_model_error(
    tmp_path: Path,
):
    settings = Settings(llm_base_url=f"http://127.0.0.1:{free_port()}/v1", models_dir=tmp_path, var_dir=tmp_path)
    with pytest.raises(ModelFileError):
        ensure_endpoint(settings, timeout=5)


def test_when_started_server_dies_then_error_carries_its_log_tail(tmp_path: Path, monkeypatch):
    # The parent skips its own check so the child process meets the missing model and exits.
    monkeypatch.setattr("app.llm_server.server.verify_model_file", lambda *_a, **_k: None)
    settings = Settings(llm_base_url=f"http://127.0.0.1:{free_port()}/v1", models_dir=tmp_path, var_dir=tmp_path)
    with pytest.raises(RuntimeError) as info:
        lifecycle.ensure_endpoint(settings, timeout=60)
    assert "make models" in str(info.value)
    assert (tmp_path / "logs" / "llm.log").exists()
