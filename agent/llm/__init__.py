"""Embedded OpenAI-compatible LLM endpoint and the one factory for chat models."""

from __future__ import annotations

from typing import Any

__all__ = ["ensure_endpoint", "get_chat_model", "is_embedded_endpoint"]


def __getattr__(name: str) -> Any:
    # Lazy so that `python -m agent.llm` and the proxy do not import langchain.
    if name in __all__:
        from agent.llm import client

        return getattr(client, name)
    raise AttributeError(name)
