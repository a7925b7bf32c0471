"""Structured model outputs (pydantic, with descriptions the model reads)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, create_model

from agent.messages import EXPLANATION_MAX_CHARS, OPENING_MAX_CHARS


def diagnosis_model(cause_ids: list[str]) -> type[BaseModel]:
    """The model's diagnosis: one cause among this run's candidates, the evidence for it, and why.

    Kept short on purpose (every generated token costs ~0.15 s on the embedded model) and with the cause first,
    so it can be shown as soon as it is written. Secondary causes and confidence come from the retrieval ranking;
    evidence ids stay free strings, checked against the evidence after the call.
    """
    cause_t = Literal[tuple(cause_ids)]  # type: ignore[valid-type]
    return create_model(
        "Diagnosis",
        cause=(cause_t, Field(description="主要原因编号")),
        evidence=(list[str], Field(min_length=1, max_length=2, description="证据编号")),
        why=(str, Field(max_length=EXPLANATION_MAX_CHARS, description="中文解释，不超过40字")),
    )


class StepMessage(BaseModel):
    """The words of one outgoing step."""

    seq: int = Field(description="步骤编号")
    text: str = Field(description="发给业主的话术，不超过90字")


class StepMessages(BaseModel):
    """Messages for the plan's outgoing steps."""

    messages: list[StepMessage] = Field(description="每个需要话术的步骤一条")


def openings_model(seqs: list[int]) -> type[BaseModel]:
    """The model's opening sentences for exactly these steps, one each, put in front of their reviewed templates.

    The grammar stops the model after one opening per step asked; the proxy leaves the step numbers and the count
    to the grammar, so the shape the model reads is the same whichever steps are asked.
    """
    seq_t = Literal[tuple(seqs)]  # type: ignore[valid-type]
    opening = create_model(
        "StepOpening",
        __doc__="The opening sentence of one outgoing step.",
        seq=(seq_t, Field(description="步骤编号")),
        text=(str, Field(max_length=OPENING_MAX_CHARS, description="一句开场白，不超过30字，可为空")),
    )
    return create_model(
        "StepOpenings",
        __doc__="Openings for the plan's near-term outgoing steps.",
        openings=(list[opening], Field(min_length=1, max_length=len(seqs), description="每个步骤一句")),
    )


Decision = Literal["accept", "edit", "respond", "ignore"]
