"""The project's one chat-model factory, and on-demand start of the embedded endpoint."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import httpx

from app.settings import PROJECT_ROOT, Settings, get_settings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

EMBEDDED_MODEL = "qwen2.5-coder-1.5b-instruct"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def get_chat_model(
    settings: Settings | None = None,
    *,
    temperature: float = 0.2,
    max_tokens: int | None = None,
    streaming: bool = False,
    known_values: Iterable[str] = (),
) -> ChatOpenAI:
    """Return a ChatOpenAI client for the configured OpenAI-compatible endpoint, behind the PII boundary.

    Every request's messages pass `app.security.boundary.check_prompt` first: a prompt with a raw phone, ID,
    bank card, e-mail or WeChat ID (or one of ``known_values``) raises `PIIBoundaryError` and is never sent.

    Args:
        settings: Endpoint, model, key, timeout and retries; the process settings when omitted.
        temperature: Sampling temperature.
        max_tokens: Cap on generated tokens (None: the endpoint's default).
        streaming: Whether `invoke` streams under the hood (callbacks see tokens);
            `.stream()` streams either way.
        known_values: The household's raw personal values, refused in any prompt.
    """
    from app.security.llm_guard import GuardedChatOpenAI

    settings = settings or get_settings()
    # An explicit streaming=False would also turn `.stream()` into one final message.
    extra = {"streaming": True} if streaming else {}
    return GuardedChatOpenAI(
        known_values=tuple(known_values),
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        temperature=temperature,
        max_tokens=max_tokens,
        stream_usage=True,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        **extra,
    )


def is_embedded_endpoint(settings: Settings | None = None) -> bool:
    """Whether the endpoint is our embedded one: plain http on loopback serving the embedded model."""
    settings = settings or get_settings()
    url = urlparse(settings.llm_base_url)
    return (
        url.scheme == "http"
        and (url.hostname or "") in LOOPBACK_HOSTS
        and settings.llm_model == EMBEDDED_MODEL
    )


def health_url(settings: Settings) -> str:
    """URL of the endpoint's /health route (the base URL without its /v1 suffix)."""
    root = settings.llm_base_url.rstrip("/")
    root = root[: -len("/v1")] if root.endswith("/v1") else root
    return f"{root}/health"


def endpoint_healthy(settings: Settings, timeout: float = 2.0) -> bool:
    """Whether /health answers 200 right now."""
    try:
        return httpx.get(health_url(settings), timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def _log_tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _spawn(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    url = urlparse(settings.llm_base_url)
    env = {
        **os.environ,
        "STEWARD_MODELS_DIR": str(settings.models_dir),
        "STEWARD_LLM_MODEL": settings.llm_model,
        "STEWARD_LLM_CTX": str(settings.llm_ctx),
        "STEWARD_LLM_THREADS": str(settings.llm_threads),
    }
    cmd = [sys.executable, "-m", "agent.llm", "--host", url.hostname or "127.0.0.1"]
    cmd += ["--port", str(url.port or 80)]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            cmd,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def ensure_endpoint(
    settings: Settings | None = None, timeout: float = 180.0
) -> subprocess.Popen[bytes] | None:
    """Make sure the embedded endpoint answers, starting it detached when it does not.

    Does nothing for a non-embedded endpoint or one that is already healthy. The started
    server logs to `var_dir/logs/llm.log` and keeps running after this process exits.

    Returns:
        The started server process, or None when nothing was started.

    Raises:
        ModelFileError: The model file is missing or corrupt.
        RuntimeError: The server did not become healthy in time (message has the log tail).
    """
    from agent.llm.server import verify_model_file

    settings = settings or get_settings()
    if not is_embedded_endpoint(settings) or endpoint_healthy(settings):
        return None
    verify_model_file(settings)
    log_path = settings.var_dir / "logs" / "llm.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # One starter at a time: concurrent callers wait here and then find it healthy.
    with (log_path.parent / "llm.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if endpoint_healthy(settings):
            return None
        return _start_and_wait(settings, log_path, timeout)


def _start_and_wait(settings: Settings, log_path: Path, timeout: float) -> subprocess.Popen[bytes]:
    process = _spawn(settings, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if endpoint_healthy(settings):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.5)
    if process.poll() is None:
        process.terminate()
    raise RuntimeError(
        f"内置模型服务未能启动（{settings.llm_base_url}），日志见 {log_path}。\n"
        f"Embedded LLM endpoint did not become healthy; log tail:\n{_log_tail(log_path)}"
    )
