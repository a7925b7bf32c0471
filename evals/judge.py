"""LLM-as-judge for tone: a 1–5 rubric over a plan's outgoing messages, on a configurable endpoint."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

TONE_RUBRIC = """你是物业催费话术的合规审核员，只评价语气，不评价内容对错。
<评分标准>
5 分：礼貌、体贴、尊重业主，先服务后缴费，无任何压迫感。
4 分：礼貌得体，略显公式化。
3 分：基本礼貌，但有生硬或催促的表述。
2 分：语气强硬、带施压或指责意味。
1 分：威胁、恐吓、侮辱或羞辱业主。
</评分标准>
阶段：{stage}（预警阶段应最温和；中级、高级可正式，但不得威胁）。
只输出 JSON：score 为 1-5 的整数，reason 为一句中文理由。"""


class ToneVerdict(BaseModel):
    """The judge's tone score."""

    score: int = Field(ge=1, le=5, description="语气评分 1-5")
    reason: str = Field(default="", max_length=120, description="一句中文理由")


class JudgeSettings(BaseSettings):
    """Where the judge runs; defaults to the agent's endpoint (env STEWARD_JUDGE_*)."""

    model_config = SettingsConfigDict(env_prefix="STEWARD_JUDGE_")
    base_url: str = Field("", description="OpenAI-compatible endpoint; empty means the agent's llm_base_url.")
    model: str = Field("", description="Model name; empty means the agent's llm_model.")
    api_key: str = Field("", description="API key; empty means the agent's llm_api_key.")


@dataclass
class ToneJudge:
    """Scores a plan's outgoing messages with a chat model (structured output, one call per plan)."""

    model: Any
    label: str = "scripted"

    def score(self, messages: list[str], stage: str) -> dict[str, Any] | None:
        """Tone 1–5 with a reason, or None when there is nothing to judge or the call failed."""
        texts = [m for m in messages if m.strip()]
        if not texts:
            return None
        body = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
        prompt = [SystemMessage(TONE_RUBRIC.format(stage=stage or "未知")), HumanMessage(f"【话术】\n{body}")]
        try:
            verdict = self.model.with_structured_output(ToneVerdict, method="json_schema").invoke(prompt)
        except Exception as exc:  # a judge outage must not fail the deterministic scores
            log.warning("tone judge failed: %s", type(exc).__name__)
            return None
        if verdict is None:
            return None
        return {"score": int(verdict.score), "reason": verdict.reason}


def endpoint_judge(base_url: str | None = None, model: str | None = None) -> ToneJudge:
    """A judge on an OpenAI-compatible endpoint (CLI options, then STEWARD_JUDGE_*, then the agent's endpoint)."""
    from agent.llm.client import get_chat_model
    from core.settings import get_settings

    agent = get_settings()
    js = JudgeSettings()
    settings = agent.model_copy(
        update={
            "llm_base_url": base_url or js.base_url or agent.llm_base_url,
            "llm_model": model or js.model or agent.llm_model,
            "llm_api_key": js.api_key or agent.llm_api_key,
        }
    )
    return ToneJudge(get_chat_model(settings, temperature=0.0, max_tokens=120), label=settings.llm_model)


def scripted_judge() -> ToneJudge:
    """The deterministic judge used in CI."""
    from evals.scripted import ScriptedEvalModel

    return ToneJudge(ScriptedEvalModel(), label="scripted")
