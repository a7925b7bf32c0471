"""Test doubles: a scripted chat model that records every prompt, and a lexical-only knowledge base."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda
from pydantic import ConfigDict, Field

from evals.scripted import LexicalOnlyKB


class ScriptedChatModel(BaseChatModel):
    """Answers through handlers and records the messages of every call in ``sent``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    chat_handler: Callable[[list[BaseMessage], dict], AIMessage]
    structured_handler: Callable[[type, list[BaseMessage]], dict | None]
    sent: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.sent.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.chat_handler(messages, kwargs))])

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        from langchain_core.utils.function_calling import convert_to_openai_tool

        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def with_structured_output(
        self, schema: Any, *, method: str | None = None, include_raw: bool = False, **kwargs: Any
    ) -> Any:
        def run(messages: list[BaseMessage]) -> dict:
            self.sent.append(list(messages))
            data = self.structured_handler(schema, messages)
            raw = AIMessage(content=json.dumps(data, ensure_ascii=False) if data is not None else "not json")
            parsed = schema.model_validate(data) if data is not None else None
            return {"raw": raw, "parsed": parsed, "parsing_error": None} if include_raw else parsed

        return RunnableLambda(run)

    def all_text(self) -> str:
        """Everything ever sent to the model, joined."""
        return "\n".join(str(m.content) for call in self.sent for m in call)


def reading_chat(messages: list[BaseMessage], kwargs: dict) -> AIMessage:
    """Gather behaviour: first call asks for chats, then says done."""
    if kwargs.get("tools") and not any(isinstance(m, ToolMessage) for m in messages):
        return AIMessage(content="", tool_calls=[{"name": "get_chat_messages", "args": {}, "id": "call_1"}])
    return AIMessage(content="证据已读取")


def step_seqs(prompt: str) -> list[int]:
    """The step numbers a prompt asks for: those listed in its <步骤> or <待改写> section (not the numbered rules)."""
    body = prompt.rsplit("</步骤>", 1)[0].rsplit("<步骤>", 1)[-1] if "</步骤>" in prompt else prompt
    if "</待改写>" in prompt:
        body = prompt.rsplit("</待改写>", 1)[0].rsplit("<待改写>", 1)[-1]
    return [int(s) for s in dict.fromkeys(re.findall(r"^(\d+)\. ", body, re.M))]


def step_texts(schema: type, seqs: list[int], text: str) -> dict:
    """An answer for either step schema: whole messages (revise) or opening sentences (first draft)."""
    key = "openings" if schema.__name__ == "StepOpenings" else "messages"
    return {key: [{"seq": s, "text": text} for s in seqs]}


def sensible_structured(schema: type, messages: list[BaseMessage]) -> dict | None:
    """Diagnosis: the first candidate, citing the first evidence id; messages: polite text per step."""
    prompt = "\n".join(str(m.content) for m in messages)
    if schema.__name__ == "Diagnosis":
        cause = re.search(r"^- ([a-z]+\.[a-z_]+)：", prompt, re.M).group(1)
        evid = re.search(r"\[((?:msg|ticket|claim|pay):[^\]]+)\]", prompt).group(1)
        return {"cause": cause, "evidence": [evid], "why": "业主多次反映服务问题。"}
    if schema.__name__ in ("StepMessages", "StepOpenings"):
        seqs = step_seqs(prompt)
        return step_texts(schema, seqs, "【业主】您好，关于您反映的问题我们已安排整改，稍后回访。")
    return None


# The lexical-only knowledge base of the eval suite serves the graph tests as well.
LexicalKB = LexicalOnlyKB
