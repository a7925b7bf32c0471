"""Request and response models of the API (XCreate / XUpdate / XPublic)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from agent.contracts import PlanResult as AgentPlanResult
from agent.contracts import StoredStep

MAX_AMOUNT_YUAN = Decimal("99999999.99")
"""Largest amount an API call may carry (one household never owes a hundred million yuan)."""

Channel = Literal["sms", "phone", "wechat", "email", "visit", "letter"]


class Token(BaseModel):
    """An access token for the Authorization: Bearer header."""

    access_token: str
    token_type: str = "bearer"


class UserPublic(BaseModel):
    """The logged-in user."""

    username: str
    display_name: str
    role: str
    projects: list[str] | None = Field(description="Visible project codes; null = every project")


class HouseholdSummary(BaseModel):
    """One household in a search result."""

    household: str
    project: str
    label: str
    case_state: str


class QueueItem(BaseModel):
    """One household in the priority queue."""

    household: str
    project: str
    label: str
    case_state: str
    arrears: str
    arrears_cents: int
    days_overdue: int
    stage: str | None
    aging_bucket: str | None
    warning: Literal["red", "yellow", "green"]
    reasons: list[str]
    priority: float | None = Field(None, description="Collections engine priority (null in the interim queue)")
    risk_band: str | None = None
    segment: str | None = None
    strategy: str | None = None
    manager_review: bool | None = None
    other_units: list[str] = []


class QueuePage(BaseModel):
    """A page of the queue."""

    total: int
    interim: bool = Field(description="True while the business date is not scored yet (arrears-ordered list)")
    items: list[QueueItem]


class ReachabilityLight(BaseModel):
    """Whether a channel may and can be used, with reasons when not."""

    channel: str
    name: str
    color: Literal["green", "yellow", "red"]
    reasons: list[str]


class HouseholdPublic(BaseModel):
    """The first screen of a household (contacts masked)."""

    household: str
    as_of: str
    project: dict[str, Any]
    unit: dict[str, Any]
    owner: dict[str, Any]
    units: list[dict[str, Any]]
    arrears: str
    arrears_cents: int
    days_overdue: int
    stage: str | None
    aging_bucket: str | None
    unpaid_periods: list[str]
    bills: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    consent: dict[str, Any]
    evidence: dict[str, int]
    case_state: str
    reachability: list[ReachabilityLight]


class EvidencePublic(BaseModel):
    """The household's evidence, redacted, with citable ids."""

    profile: dict[str, Any]
    chats: dict[str, Any]
    tickets: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    payments: dict[str, Any]
    contact_history: list[dict[str, Any]]
    commitments: dict[str, Any]
    consent: dict[str, Any]


class DiagnosisPublic(BaseModel):
    """A stored diagnosis."""

    id: int
    created_at: str
    primary_cause_id: str
    secondary_cause_ids: list[str]
    confidence: float
    explanation: str
    citations: list[dict[str, Any]]
    flags: dict[str, Any]
    model: str
    prompt_version: str


PlanStepPublic = StoredStep


class PlanPublic(BaseModel):
    """A stored plan version."""

    id: int
    household: str
    version: int
    status: str
    status_name: str
    stage: str
    strategy: str
    summary: str
    is_fallback: bool
    validation: dict[str, Any]
    created_at: str
    steps: list[PlanStepPublic]
    diagnosis: DiagnosisPublic | None


PlanResult = AgentPlanResult


class PlanDecisionCreate(BaseModel):
    """Approve or reject with an optional comment."""

    comment: str = Field("", max_length=500)


class PlanUpdate(BaseModel):
    """A steward's edits: step number → new text; the edited plan is validated again."""

    edits: dict[Annotated[int, Field(ge=1, le=100)], Annotated[str, Field(max_length=500)]] = Field(
        min_length=1, max_length=50
    )
    comment: str = Field("", max_length=500)


class PlanReviseCreate(BaseModel):
    """Ask the assistant to rewrite the messages, e.g. 语气再温和一点."""

    instruction: str = Field(min_length=1, max_length=200)


class ContactAttemptCreate(BaseModel):
    """A contact that happened."""

    channel: Channel
    outcome: Literal["delivered", "failed", "no_answer", "answered", "pending"] = "answered"
    at: datetime | None = None
    text: str = Field("", max_length=1000)
    template_id: str | None = Field(None, max_length=64)


class ContactAttemptPublic(BaseModel):
    """A logged contact."""

    id: int
    at: str
    channel: str
    outcome: str
    template_id: str | None
    text: str | None


class PromiseCreate(BaseModel):
    """A promise to pay."""

    promised_date: date
    amount: Decimal = Field(gt=0, le=MAX_AMOUNT_YUAN, decimal_places=2)


class PromisePublic(BaseModel):
    """A stored promise."""

    id: int
    promised_date: str
    amount: str
    status: str
    created_at: str


class InstalmentCreate(BaseModel):
    """An instalment arrangement over the current arrears."""

    months: int = Field(ge=1, le=12)
    start_date: date
    status: Literal["requested", "active"] = "active"


class InstalmentPublic(BaseModel):
    """A stored instalment plan."""

    id: int
    months: int
    amount_per_month: str
    start_date: str
    status: str


class DisputeCreate(BaseModel):
    """An owner's dispute of the bill."""

    note: str = Field(min_length=1, max_length=1000)


class DisputePublic(BaseModel):
    """A stored dispute."""

    id: int
    opened_at: str
    status: str
    note: str


class OptOutCreate(BaseModel):
    """An opt-out; channel null means every channel."""

    channel: Channel | None = None
    reason: str = Field("", max_length=200)


class OptOutPublic(BaseModel):
    """A stored opt-out."""

    id: int
    channel: str | None
    at: str
    reason: str


class TaskPublic(BaseModel):
    """A steward task raised by an owner."""

    id: int
    household: str
    kind: str
    kind_name: str
    note: str
    months: int | None
    source: str
    status: str
    created_at: str
    done_at: str | None
    done_by: str | None


class RevealCreate(BaseModel):
    """Why the masked personal data is needed (audited)."""

    reason: str = Field(min_length=2, max_length=200)


class RevealPublic(BaseModel):
    """Unmasked owner name and contacts."""

    name: str
    contacts: list[dict[str, str]]


class BillLinkPublic(BaseModel):
    """A signed link to the owner's bill page."""

    url: str
    token: str
    expires_at: str


class BillLinkRevoked(BaseModel):
    """How many live links were revoked."""

    revoked: int


class AuditEventPublic(BaseModel):
    """One audit event."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]
    hash: str


class Health(BaseModel):
    """Service health."""

    status: str
    database: str
