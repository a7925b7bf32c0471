"""Typed evidence: what the evidence tools return for one household, read the same way by every consumer.

The graph keeps the tools' payloads keyed by source (tool name) so the checkpoint holds exactly what the model
saw; nodes, scorers and pages read them through :class:`Evidence` instead of indexing the raw dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.domain.malice import NO_CLAIM_TYPES, MaliceCheck, check_malice

OWNER_SPEAKER = "业主"
SOURCES = {
    "profile": "get_household_profile",
    "chat": "get_chat_messages",
    "tickets": "get_tickets",
    "claims": "get_claims",
    "payments": "get_payment_history",
    "contacts": "get_contact_history",
    "commitments": "get_commitments",
    "consent": "get_consent_state",
}
"""Evidence field → the tool that reads it."""


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ChatLine(_Open):
    """One redacted chat message with its citable id (msg:…)."""

    id: str
    time: str = ""
    speaker: str = ""
    text: str = ""


class Ticket(_Open):
    """One service ticket (ticket:…)."""

    id: str
    type: str = ""
    description: str = ""
    status: str = ""
    satisfaction: int | None = None


class ClaimNote(_Open):
    """One negotiation record of a claim."""

    text: str = ""


class Claim(_Open):
    """One owner claim (claim:…) with its items and negotiation records."""

    id: str
    type: str = ""
    items: list[str] = Field(default_factory=list)
    records: list[ClaimNote] = Field(default_factory=list)


class PaymentRecord(_Open):
    """One payment (pay:…)."""

    id: str


class PaymentHistory(_Open):
    """Payment habits and the latest payments."""

    habits: dict[str, Any] = Field(default_factory=dict)
    records: list[PaymentRecord] = Field(default_factory=list)


class ContactRecord(_Open):
    """One contact made with the household."""

    id: str


class Evidence(BaseModel):
    """A household's redacted evidence, one field per source; absent sources are empty."""

    profile: dict[str, Any] = Field(default_factory=dict)
    chat: list[ChatLine] = Field(default_factory=list)
    tickets: list[Ticket] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    payments: PaymentHistory = Field(default_factory=PaymentHistory)
    contacts: list[ContactRecord] = Field(default_factory=list)
    commitments: dict[str, Any] = Field(default_factory=dict)
    consent: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_sources(cls, sources: Mapping[str, Any] | None) -> Evidence:
        """Evidence from tool payloads keyed by tool name (the graph state's ``evidence``)."""
        sources = sources or {}
        chat = sources.get(SOURCES["chat"]) or {}
        return cls(
            profile=sources.get(SOURCES["profile"]) or {},
            chat=chat.get("messages", []),
            tickets=sources.get(SOURCES["tickets"]) or [],
            claims=sources.get(SOURCES["claims"]) or [],
            payments=sources.get(SOURCES["payments"]) or {},
            contacts=sources.get(SOURCES["contacts"]) or [],
            commitments=sources.get(SOURCES["commitments"]) or {},
            consent=sources.get(SOURCES["consent"]) or {},
        )

    @classmethod
    def of(cls, evidence: Evidence | Mapping[str, Any] | None) -> Evidence:
        """``evidence`` itself, or evidence read from tool payloads."""
        return evidence if isinstance(evidence, Evidence) else cls.from_sources(evidence)

    @property
    def profile_id(self) -> str:
        """The citable id of the bill/profile line ("" when absent)."""
        return str(self.profile.get("id") or "")

    def owner_lines(self) -> list[ChatLine]:
        """The owner's own chat lines, oldest first (the owner's words carry the cause)."""
        return [m for m in self.chat if m.speaker == OWNER_SPEAKER]

    def open_disputes(self) -> list[dict[str, Any]]:
        """Disputes still open."""
        return [d for d in self.commitments.get("disputes", []) if d.get("status") == "open"]

    def malice_check(self) -> MaliceCheck:
        """Whether this evidence allows calling the household malicious (see core.domain.malice)."""
        open_tickets = [
            t for t in self.tickets if (t.satisfaction or 5) <= 3 or t.status in ("超时", "处理中", "已受理")
        ]
        other_claims = [c for c in self.claims if c.type not in NO_CLAIM_TYPES]
        broken = [p for p in self.commitments.get("promises", []) if p.get("status") == "broken"]
        return check_malice(
            [m.text for m in self.owner_lines()],
            other_texts=[
                *(f"{t.type}：{t.description}" for t in open_tickets),
                *("；".join([*c.items, *(r.text for r in c.records)]) for c in other_claims),
            ],
            claim_types=[c.type for c in self.claims],
            open_grievances=len(open_tickets) + len(other_claims) + len(self.open_disputes()),
            broken_promises=len(broken),
        )

    def texts(self) -> dict[str, str]:
        """Text of every textual item by id: chat lines, tickets, claims with their records."""
        texts = {m.id: m.text for m in self.chat}
        texts |= {t.id: f"{t.type}：{t.description}" for t in self.tickets}
        texts |= {c.id: "；".join([*c.items, *(r.text for r in c.records)]) for c in self.claims}
        return texts

    def citable_ids(self) -> set[str]:
        """Every id a diagnosis may cite."""
        ids = {m.id for m in self.chat} | {t.id for t in self.tickets} | {c.id for c in self.claims}
        ids |= {p.id for p in self.payments.records} | {c.id for c in self.contacts}
        if self.profile_id:
            ids.add(self.profile_id)
        return ids
