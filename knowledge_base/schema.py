"""Pydantic models of knowledge-base content: causes, script templates and policy documents."""

from __future__ import annotations

import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.domain.compliance.lexicon import FORBIDDEN_TEMPLATE_WORDS, WARNING_STAGE_WORDS
from knowledge_base.taxonomy import STAGES, TAXONOMY, TEMPLATE_PLACEHOLDERS, StrategyGroup

MIN_UTTERANCES = 8


class Evidence(BaseModel):
    """Typical evidence that points at a cause."""

    model_config = ConfigDict(extra="forbid")

    ticket_types: list[str] = Field(default_factory=list, description="Service ticket types.")
    claim_types: list[str] = Field(default_factory=list, description="Owner claim types.")
    payment_patterns: list[str] = Field(default_factory=list, description="Payment-history patterns.")


class Handling(BaseModel):
    """How a steward should handle a household with this cause."""

    model_config = ConfigDict(extra="forbid")

    fix_first: list[str] = Field(min_length=1, description="Concrete fix actions, in order.")
    tone: str = Field(min_length=2, description="Tone of voice for messages.")
    pause_forced_collection: bool
    instalment_eligible: bool
    max_instalment_months: int = Field(ge=0, le=12)
    reduction_eligible: bool

    @model_validator(mode="after")
    def _instalment_months_consistent(self) -> Handling:
        if self.instalment_eligible != (self.max_instalment_months > 0):
            raise ValueError("max_instalment_months must be > 0 exactly when instalment_eligible")
        return self


class Cause(BaseModel):
    """One arrears cause of the fixed taxonomy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    dimension: str
    dimension_id: str
    category: str
    category_id: str
    name: str
    description: str = Field(min_length=10)
    signals: list[str] = Field(min_length=1)
    utterances: list[str] = Field(min_length=MIN_UTTERANCES)
    evidence: Evidence
    handling: Handling
    escalation_notes: str
    strategy_group: StrategyGroup

    @field_validator("utterances", "signals")
    @classmethod
    def _no_blank_or_duplicate(cls, value: list[str]) -> list[str]:
        cleaned = [item.strip() for item in value]
        if any(not item for item in cleaned):
            raise ValueError("blank entry")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("duplicate entry")
        return cleaned

    @model_validator(mode="after")
    def _matches_taxonomy(self) -> Cause:
        if self.id not in TAXONOMY:
            raise ValueError(f"unknown cause id {self.id!r}")
        expected = TAXONOMY[self.id]
        actual = (self.dimension_id, self.category_id, self.strategy_group)
        if actual != expected:
            raise ValueError(f"{self.id}: (dimension_id, category_id, strategy_group) {actual} != {expected}")
        return self


class Template(BaseModel):
    """A reviewed script template with str.format placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^tpl\.[a-z0-9_.]+$")
    name: str
    scenario: str = Field(description="首次提醒 / 温和升级 / 分期建议 / 法务前置提示 / ...")
    stages: list[str] = Field(min_length=1)
    channel: Literal["sms", "wechat", "phone", "visit", "letter", "app"]
    politeness: int = Field(ge=1, le=5, description="5 = most polite.")
    strategy_groups: list[StrategyGroup] = Field(min_length=1)
    text: str = Field(min_length=10)
    version: int = Field(1, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _join_lines(cls, data: Any) -> Any:
        # Chinese text must not gain spaces from YAML line folding: only letters keep line breaks.
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            lines = [line.strip() for line in data["text"].strip().splitlines()]
            joiner = "\n" if data.get("channel") == "letter" else ""
            data = {**data, "text": joiner.join(line for line in lines if line)}
        return data

    @property
    def placeholders(self) -> set[str]:
        """Names of the placeholders used in the text."""
        return {name for _, name, _, _ in string.Formatter().parse(self.text) if name}

    def render(self, **values: object) -> str:
        """Fill the placeholders; raises KeyError naming a missing value."""
        return self.text.format(**values)

    @model_validator(mode="after")
    def _compliant(self) -> Template:
        unknown = [stage for stage in self.stages if stage not in STAGES]
        if unknown:
            raise ValueError(f"{self.id}: unknown stages {unknown}")
        bad = self.placeholders - TEMPLATE_PLACEHOLDERS
        if bad:
            raise ValueError(f"{self.id}: unknown placeholders {sorted(bad)}")
        hits = [word for word in FORBIDDEN_TEMPLATE_WORDS if word in self.text]
        if "预警" in self.stages:
            hits += [word for word in WARNING_STAGE_WORDS if word in self.text]
        if hits:
            raise ValueError(f"{self.id}: forbidden wording {hits}")
        if self.channel == "sms" and not self.text.rstrip().endswith("{opt_out}"):
            raise ValueError(f"{self.id}: SMS templates must end with {{opt_out}}")
        return self


class KbDoc(BaseModel):
    """A Markdown policy document with YAML front matter."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    version: int = Field(1, ge=1)
    tags: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="Legal or policy sources.")
    body: str
    path: str = ""
