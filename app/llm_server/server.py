"""Start the embedded llama.cpp server (xllamacpp) and serve the OpenAI-compatible proxy in front of it."""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app.bootstrap.models import LLM_SIZE, llm_ok
from core.settings import Settings

logger = logging.getLogger(__name__)


class ModelFileError(RuntimeError):
    """The embedded model file is missing or does not match its size and hash."""


def verify_model_file(settings: Settings, *, check_hash: bool = True) -> Path:
    """Return the GGUF path after checking it exists with the right size (and sha256).

    Raises:
        ModelFileError: With a Chinese and English message naming the path and `make models`.
    """
    path = settings.llm_model_file
    if not path.exists():
        problem = "不存在 / is missing"
    elif path.stat().st_size != LLM_SIZE:
        problem = f"大小不对 / has size {path.stat().st_size}, expected {LLM_SIZE}"
    elif check_hash and not llm_ok(path.parent):
        problem = "校验和不匹配 / fails its sha256 check"
    else:
        return path
    raise ModelFileError(
        f"内置模型文件 {path} {problem}。请先运行 `make models`（或 python -m app.bootstrap.models）"
        f"下载并校验模型。\nEmbedded model file {path} {problem}. "
        "Run `make models` (or python -m app.bootstrap.models) to fetch and verify it."
    )


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on host that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class Upstream:
    """A running xllamacpp server and where it listens."""

    server: Any
    url: str
    startup_seconds: float


def start_upstream(settings: Settings, *, parallel: int = 1, port: int | None = None) -> Upstream:
    """Load the model into an in-process xllamacpp server listening on an internal loopback port.

    Args:
        settings: Supplies the model path, context size per slot and CPU threads.
        parallel: Request slots decoded together; each slot gets `settings.llm_ctx` tokens.
        port: Internal port; a free one when omitted.
    """
    import xllamacpp

    model = verify_model_file(settings)
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = settings.llm_ctx * parallel
    params.n_parallel = parallel
    params.cpuparams.n_threads = settings.llm_threads
    params.cpuparams_batch.n_threads = settings.llm_threads
    params.hostnames = ["127.0.0.1"]
    params.port = port or free_port()
    params.model_alias = {settings.llm_model}
    params.endpoint_metrics = True
    started = time.perf_counter()
    server = xllamacpp.Server(params)
    elapsed = time.perf_counter() - started
    logger.info("model server ready at %s in %.1fs", server.listening_address, elapsed)
    return Upstream(server=server, url=server.listening_address, startup_seconds=elapsed)


def endpoint_address(settings: Settings) -> tuple[str, int]:
    """Host and port of the configured endpoint URL (default port 80/443 by scheme)."""
    url = urlparse(settings.llm_base_url)
    return url.hostname or "127.0.0.1", url.port or (443 if url.scheme == "https" else 80)


def serve(settings: Settings, *, host: str | None = None, port: int | None = None, parallel: int = 1) -> None:
    """Load the model and serve the OpenAI-compatible endpoint until interrupted.

    Args:
        settings: Runtime settings; host and port default to those of `llm_base_url`.
        host: Interface to bind.
        port: Port to bind.
        parallel: Upstream request slots (and in-flight requests the proxy lets through).
    """
    import uvicorn

    from app.llm_server.proxy import create_app

    default_host, default_port = endpoint_address(settings)
    upstream = start_upstream(settings, parallel=parallel)
    app = create_app(upstream.url, model_name=settings.llm_model, max_inflight=parallel, timeout=600.0)
    try:
        uvicorn.run(app, host=host or default_host, port=port or default_port, log_level="warning")
    finally:
        del upstream  # drops the last reference: xllamacpp stops its loop and frees the model
