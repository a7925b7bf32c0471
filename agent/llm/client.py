"""The project's one chat-model factory, and on-demand start of the embedded endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import httpx

from core.settings import Settings, get_settings

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

    Every request's messages pass `agent.llm.boundary.check_prompt` first: a prompt with a raw phone, ID,
    bank card, e-mail or WeChat ID (or one of ``known_values``) raises `PIIBoundaryError` and is never sent.

    Args:
        settings: Endpoint, model, key, timeout and retries; the process settings when omitted.
        temperature: Sampling temperature.
        max_tokens: Cap on generated tokens (None: the endpoint's default).
        streaming: Whether `invoke` streams under the hood (callbacks see tokens);
            `.stream()` streams either way.
        known_values: The household's raw personal values, refused in any prompt.
    """
    from agent.llm.guard import GuardedChatOpenAI

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
    return url.scheme == "http" and (url.hostname or "") in LOOPBACK_HOSTS and settings.llm_model == EMBEDDED_MODEL


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
