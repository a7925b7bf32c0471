"""The last check before a prompt leaves for the model: refuse it when raw personal data is found."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

log = logging.getLogger(__name__)

BLOCKED_ENTITIES = frozenset(
    {"CN_MOBILE", "CN_RESIDENT_ID", "CN_BANK_CARD", "EMAIL_ADDRESS", "CN_WECHAT_ID", "KNOWN_VALUE"}
)
"""Entity types that stop a prompt (names and addresses are redacted upstream and too noisy to block on)."""
LABELS = {
    "CN_MOBILE": "手机号",
    "CN_RESIDENT_ID": "身份证号",
    "CN_BANK_CARD": "银行卡号",
    "EMAIL_ADDRESS": "邮箱",
    "CN_WECHAT_ID": "微信号",
    "KNOWN_VALUE": "已知个人信息",
}

_KNOWN: ContextVar[tuple[str, ...]] = ContextVar("steward_known_pii", default=())


class PIIBoundaryError(RuntimeError):
    """A prompt carried raw personal data and was not sent; holds the entity types only, never the values."""

    def __init__(self, entity_types: Iterable[str]) -> None:
        self.entity_types = tuple(sorted(set(entity_types)))
        labels = "、".join(LABELS.get(t, t) for t in self.entity_types)
        super().__init__(f"发送给模型的内容含未脱敏的个人信息（{labels}），已拒绝发送。")


@contextmanager
def known_values(values: Iterable[str]) -> Iterator[None]:
    """Within the block, also refuse prompts containing these literal values (e.g. the household's own phone)."""
    token = _KNOWN.set(tuple(v for v in values if v and len(v.strip()) >= 2))
    try:
        yield
    finally:
        _KNOWN.reset(token)


def _texts(messages: Iterable[Any]) -> Iterator[str]:
    for message in messages:
        content = getattr(message, "content", message)
        if isinstance(content, str):
            yield content
        elif isinstance(content, list):
            for part in content:
                text = part.get("text") if isinstance(part, dict) else part
                if isinstance(text, str):
                    yield text


def check_prompt(messages: Iterable[Any], extra_values: Iterable[str] = ()) -> None:
    """Raise PIIBoundaryError when any message contains raw phone/ID/card/e-mail/WeChat data or a known value.

    Args:
        messages: LangChain messages (or strings) about to be sent.
        extra_values: Literal values known to be personal (besides those of an enclosing ``known_values``).
    """
    from core.redaction import find_raw_pii

    known = (*_KNOWN.get(), *extra_values)
    found: set[str] = set()
    for text in _texts(messages):
        found |= {f.entity_type for f in find_raw_pii(text, known) if f.entity_type in BLOCKED_ENTITIES}
    if found:
        log.warning("prompt refused at the PII boundary; entity types: %s", ", ".join(sorted(found)))
        raise PIIBoundaryError(found)
