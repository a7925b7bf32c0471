"""Typed contracts of a plan run: diagnosis, plan draft and steps, and the one public result shape.

Nodes build these models and keep their plain (JSON) form in the checkpointed state; the API schemas, the CLI,
the workbench and the evals read the same models, and :func:`agent.output.plan_result` is the only conversion to
the public shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from core.domain.collections.pay_link import PAY_LINK_LABEL, has_pay_link


class Citation(BaseModel):
    """Evidence ids that support one cause."""

    cause_id: str
    evidence_ids: list[str] = Field(default_factory=list)


class CauseRef(BaseModel):
    """A cause of the knowledge base, by id with its names."""

    id: str
    name: str
    dimension: str
    category: str


class OwnerFlagsOut(BaseModel):
    """Deterministic owner flags that steer the strategy."""

    vulnerable: bool = False
    high_value: bool = False
    hardship: bool = False
    malicious: bool = False
    dispute_risk: bool = False


class Diagnosis(BaseModel):
    """Why the owner is not paying: causes, confidence, explanation and checked citations."""

    model_config = ConfigDict(extra="allow")

    primary_cause_id: str
    secondary_cause_ids: list[str] = Field(default_factory=list)
    confidence: float = Field(default=0.0, ge=0, le=1)
    explanation: str = ""
    citations: list[Citation] = Field(default_factory=list)
    source: str | None = None
    primary_cause: CauseRef | None = None
    flags: OwnerFlagsOut = Field(default_factory=OwnerFlagsOut)


class PayLinkLabel(BaseModel):
    """A step whose words (``message``) may carry the 【缴费链接】 token: callers see ``pay_link`` as well."""

    @computed_field
    @property
    def pay_link(self) -> str | None:
        """发送时附专属缴费链接 when the words carry the 【缴费链接】 token (the sender puts the owner's link there)."""
        return PAY_LINK_LABEL if has_pay_link(getattr(self, "message", "")) else None


class PublicStep(PayLinkLabel):
    """A draft step as callers see it."""

    seq: int
    date: str
    window: list[str]
    channel: str
    fallback_channel: str | None = None
    template_id: str | None = None
    action: str
    role: str
    role_name: str = ""
    outgoing: bool = True
    message: str = ""
    message_source: str = ""


class PlanStep(PublicStep):
    """One dated step of a draft plan, with what only the graph needs (template text, instalment months)."""

    model_config = ConfigDict(extra="allow")

    instalment_months: int | None = None
    template_text: str = ""

    def public(self) -> PublicStep:
        """The step as callers see it."""
        return PublicStep.model_validate({k: getattr(self, k) for k in PublicStep.model_fields})


class PlanDraft(BaseModel):
    """Stage, strategy and dated steps of a draft plan."""

    model_config = ConfigDict(extra="allow")

    stage: str
    strategy: str
    strategy_label: str = ""
    pause_forced_collection: bool = False
    manager_review: bool = False
    notes: list[str] = Field(default_factory=list)
    arrears: str = ""
    days_overdue: int = 0
    followup_date: str = ""
    fix_actions: str = ""
    tone: str = ""
    is_fallback: bool = False
    steps: list[PlanStep] = Field(default_factory=list)


SecondaryCause = CauseRef
"""A secondary cause with its names (same shape as the primary)."""


class PublicDiagnosis(BaseModel):
    """The diagnosis in the public result."""

    primary_cause: CauseRef | None = None
    secondary_causes: list[SecondaryCause] = Field(default_factory=list)
    confidence: float | None = None
    explanation: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    flags: dict[str, Any] = Field(default_factory=dict)
    source: str | None = None
    unsure: bool = False
    """The pick is weak: below the confidence bar, overridden by retrieval or the malice guard; the steward
    should choose between the leading causes."""
    corrected_from: str | None = None
    """When the steward picked the cause: the cause the pick replaced."""


class PublicPlan(BaseModel):
    """The draft plan in the public result."""

    stage: str | None = None
    strategy: str | None = None
    strategy_label: str | None = None
    arrears: str | None = None
    days_overdue: int | None = None
    pause_forced_collection: bool | None = None
    manager_review: bool | None = None
    notes: list[str] = Field(default_factory=list)
    is_fallback: bool = False
    steps: list[PublicStep] = Field(default_factory=list)


class ValidationOutcome(BaseModel):
    """The last guardrail report."""

    passed: bool = False
    failures: list[dict[str, Any]] = Field(default_factory=list)


class PlanResult(BaseModel):
    """The outcome of a plan run: CLI --json, API, workbench and evals all use this shape."""

    household: str | None = None
    diagnosis: PublicDiagnosis | None = None
    plan: PublicPlan | None = None
    validation: ValidationOutcome | None = None
    status: str | None = None
    plan_id: int | None = None
    thread_id: str | None = None
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    usage: list[dict[str, Any]] = Field(default_factory=list)


class StoredStep(PayLinkLabel):
    """One step of a saved plan version."""

    seq: int
    date: str
    window: list[str]
    channel: str
    fallback_channel: str | None = None
    template_id: str | None = None
    action: str
    message: str
    role: str
