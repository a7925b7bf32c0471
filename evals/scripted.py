"""Deterministic stand-ins for CI: a scripted chat model, a prompt recorder and a lexical-only knowledge base."""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda
from pydantic import ConfigDict, Field

_CAUSE_LINE = re.compile(r"^- ([a-z]+\.[a-z_]+)：", re.M)
_EVIDENCE_ID = re.compile(r"\[((?:msg|ticket|claim|pay):[^\]]+)\]")
_STEP_LINE = re.compile(r"^(\d+)\. [^\n]*?（参考模板：(.*?)）\s*(?=^\d+\. |\Z)", re.M | re.S)
_STEP_SEQ = re.compile(r"^(\d+)\. ", re.M)
OPENING_TEXT = "感谢您一直以来对小区服务的关注。"
GENERIC_TEXT = "【业主】您好，温馨提示您本期物业服务费待缴，如有任何疑问欢迎随时联系管家，感谢您的支持。"
_HARSH = re.compile(r"停水|停电|后果自负|老赖|最后通牒|曝光|起诉|律师")
_WARM = re.compile(r"您好|感谢|抱歉|欢迎|请")


class PromptRecorder(BaseCallbackHandler):
    """LangChain callback that keeps the text of every prompt sent to a chat model."""

    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[str] = []

    def on_chat_model_start(self, serialized: dict, messages: list[list[BaseMessage]], **kwargs: Any) -> None:
        """Record each batch of chat messages as one prompt."""
        for batch in messages:
            self.prompts.append("\n".join(str(m.content) for m in batch))

    def on_llm_start(self, serialized: dict, prompts: list[str], **kwargs: Any) -> None:
        """Record plain completion prompts."""
        self.prompts.extend(prompts)

    def reset(self) -> None:
        """Forget what was recorded (between cases)."""
        self.prompts.clear()


def scripted_diagnosis(prompt: str) -> dict:
    """The first candidate, citing the first evidence id shown."""
    causes = _CAUSE_LINE.findall(prompt)
    evidence = _EVIDENCE_ID.findall(prompt) or re.findall(r"\[(bill:[^\]]+)\]", prompt)
    return {"cause": causes[0], "evidence": evidence[:1], "why": "根据业主的沟通记录和工单，优先考虑排名第一的原因。"}


def _last_section(prompt: str) -> str:
    """The steps the user turn lists (the system text names the section too, before its numbered rules)."""
    for tag in ("步骤", "待改写"):
        if f"</{tag}>" in prompt:
            return prompt.rsplit(f"</{tag}>", 1)[0].rsplit(f"<{tag}>", 1)[-1].strip()
    return prompt


def scripted_messages(prompt: str) -> dict:
    """Each outgoing step gets its reference template back (or a generic polite reminder)."""
    body = _last_section(prompt)
    templates = {int(seq): text.strip() for seq, text in _STEP_LINE.findall(body)}
    seqs = [int(s) for s in _STEP_SEQ.findall(body)]
    return {"messages": [{"seq": s, "text": templates.get(s) or GENERIC_TEXT} for s in dict.fromkeys(seqs)]}


def scripted_openings(prompt: str) -> dict:
    """One plain, polite opening per step asked for (the reviewed template carries the rest)."""
    seqs = [int(s) for s in _STEP_SEQ.findall(_last_section(prompt))]
    return {"openings": [{"seq": s, "text": OPENING_TEXT} for s in dict.fromkeys(seqs)]}


def scripted_tone(prompt: str) -> dict:
    """A rule-of-thumb tone score so the judge plumbing runs without a model."""
    body = prompt.split("【话术】", 1)[-1]
    score = 3 + (1 if _WARM.search(body) else 0) + (1 if "感谢" in body or "抱歉" in body else 0)
    score -= 2 * len(_HARSH.findall(body))
    return {"score": max(1, min(5, score)), "reason": "规则打分（脚本模型）"}


class ScriptedEvalModel(BaseChatModel):
    """Deterministic chat model: reads chats once, picks the first candidate, echoes reference templates."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    sent: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-eval"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.sent.append(list(messages))
        if kwargs.get("tools") and not any(isinstance(m, ToolMessage) for m in messages):
            reply = AIMessage(content="", tool_calls=[{"name": "get_chat_messages", "args": {}, "id": "call_1"}])
        else:
            reply = AIMessage(content="证据已读取")
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        """Bind tools the way ChatOpenAI does (OpenAI tool schemas in kwargs)."""
        from langchain_core.utils.function_calling import convert_to_openai_tool

        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def structured(self, schema: Any, messages: list[BaseMessage]) -> dict | None:
        """The scripted answer for a structured-output schema."""
        prompt = "\n".join(str(m.content) for m in messages)
        name = getattr(schema, "__name__", "")
        if name == "Diagnosis":
            return scripted_diagnosis(prompt)
        if name == "StepMessages":
            return scripted_messages(prompt)
        if name == "StepOpenings":
            return scripted_openings(prompt)
        if name == "ToneVerdict":
            return scripted_tone(prompt)
        return None

    def with_structured_output(
        self, schema: Any, *, method: str | None = None, include_raw: bool = False, **kwargs: Any
    ) -> Any:
        """Parse the scripted answer into ``schema`` (raw JSON kept when include_raw)."""

        def run(messages: list[BaseMessage]) -> Any:
            self.sent.append(list(messages))
            data = self.structured(schema, messages)
            raw = AIMessage(content=json.dumps(data, ensure_ascii=False) if data is not None else "not json")
            parsed = schema.model_validate(data) if data is not None else None
            return {"raw": raw, "parsed": parsed, "parsing_error": None} if include_raw else parsed

        return RunnableLambda(run)

    def prompt_texts(self) -> list[str]:
        """Every prompt sent so far, one string per call."""
        return ["\n".join(str(m.content) for m in call) for call in self.sent]


class LexicalOnlyKB:
    """The real cause catalog searched lexically (jieba + BM25), no embedding model: fast and deterministic."""

    def __init__(self) -> None:
        from knowledge_base.catalog import load_causes
        from knowledge_base.lexical import LexicalIndex, Tokenizer
        from knowledge_base.passages import all_passages

        causes = load_causes()
        self.causes = {c.id: c for c in causes}
        self._passages = all_passages(causes)
        self._index = LexicalIndex([p.text for p in self._passages], Tokenizer())

    def _hits(self, text: str, k: int) -> list[Any]:
        from knowledge_base.retrieval import Hit

        best: dict[str, float] = {}
        for passage, score in zip(self._passages, self._index.scores(text), strict=True):
            best[passage.cause_id] = max(best.get(passage.cause_id, 0.0), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:k]
        return [
            Hit(cid, self.causes[cid].name, self.causes[cid].dimension, self.causes[cid].category, s, "")
            for cid, s in ranked
        ]

    def search_many(self, texts: list[str], k: int = 5) -> list[list[Any]]:
        """Top-k causes per text."""
        return [self._hits(t, k) for t in texts]

    def search_evidence(self, messages: list[str], k: int = 5) -> list[Any]:
        """Top-k causes for all texts joined."""
        return self._hits("；".join(messages), k)
