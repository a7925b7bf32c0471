"""The one factory for chat models, and the boundary every prompt passes (no raw PII reaches a model)."""

from __future__ import annotations

from typing import Any

__all__ = ["get_chat_model", "is_embedded_endpoint"]


def __getattr__(name: str) -> Any:
    # Lazy so that importing the package does not import langchain.
    if name in __all__:
        from agent.llm import client

        return getattr(client, name)
    raise AttributeError(name)
