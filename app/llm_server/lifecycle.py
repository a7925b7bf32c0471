"""Start the embedded OpenAI-compatible model server when nothing answers, and say why it did not start."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from agent.llm.client import endpoint_healthy, is_embedded_endpoint
from core.settings import PROJECT_ROOT, Settings, get_settings


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
    cmd = [sys.executable, "-m", "app.llm_server", "--host", url.hostname or "127.0.0.1"]
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


def ensure_endpoint(settings: Settings | None = None, timeout: float = 180.0) -> subprocess.Popen[bytes] | None:
    """Make sure the embedded endpoint answers, starting it detached when it does not.

    Does nothing for a non-embedded endpoint or one that is already healthy. The started
    server logs to `var_dir/logs/llm.log` and keeps running after this process exits.

    Returns:
        The started server process, or None when nothing was started.

    Raises:
        ModelFileError: The model file is missing or corrupt.
        RuntimeError: The server did not become healthy in time (message has the log tail).
    """
    from app.llm_server.server import verify_model_file

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
