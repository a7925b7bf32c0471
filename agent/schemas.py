"""Structured model outputs (pydantic, with descriptions the model reads)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, create_model


class CauseCitation(BaseModel):
    """Evidence for one cause."""

    cause_id: str = Field(description="原因编号")
    evidence_ids: list[str] = Field(description="支持该原因的证据编号，如 msg:m3、ticket:WD-…、claim:C1")


def diagnosis_model(cause_ids: list[str]) -> type[BaseModel]:
    """A diagnosis schema whose cause ids are restricted to this run's candidates.

    Evidence ids stay free strings (the schema is shown to the model, so it is kept short);
    they are checked against the evidence after the call.
    """
    cause_t = Literal[tuple(cause_ids)]  # type: ignore[valid-type]
    citation = create_model(
        "Citation",
        cause_id=(cause_t, Field(description="原因编号")),
        evidence_ids=(list[str], Field(description="证据编号", min_length=1, max_length=3)),
    )
    return create_model(
        "Diagnosis",
        primary_cause_id=(cause_t, Field(description="主要原因")),
        secondary_cause_ids=(list[cause_t], Field(default_factory=list, max_length=2, description="次要原因")),
        confidence=(float, Field(ge=0, le=1, description="把握0-1")),
        explanation=(str, Field(max_length=160, description="中文解释")),
        citations=(list[citation], Field(min_length=1, max_length=2, description="引用")),
    )


class StepMessage(BaseModel):
    """The words of one outgoing step."""

    seq: int = Field(description="步骤编号")
    text: str = Field(description="发给业主的话术，不超过90字")


class StepMessages(BaseModel):
    """Messages for the plan's outgoing steps."""

    messages: list[StepMessage] = Field(description="每个需要话术的步骤一条")


Decision = Literal["accept", "edit", "respond", "ignore"]
