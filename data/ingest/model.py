"""Validated evidence and household records, as produced by every reader and consumed by the writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ChatIn:
    """One chat line; ``role`` is resolved against the household's owner when written."""

    ext_id: str
    sent_at: datetime
    speaker: str
    text: str
    line: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class EventIn:
    """A ticket follow-up (处理记录)."""

    at: datetime
    status: str
    note: str


@dataclass
class TicketIn:
    """A service ticket (工单) with its follow-ups."""

    ext_id: str
    type: str
    description: str
    status: str
    created_at: datetime
    closed_at: datetime | None = None
    satisfaction: int | None = None
    events: list[EventIn] = field(default_factory=list)
    line: int = 0


@dataclass
class RecordIn:
    """A negotiation record (协商记录) of a claim."""

    at: datetime
    text: str


@dataclass
class ClaimIn:
    """An owner's claim (诉求); ``created_at`` None means: earliest record, else the import time."""

    ext_id: str
    type: str
    items: list[str]
    created_at: datetime | None = None
    records: list[RecordIn] = field(default_factory=list)
    line: int = 0


@dataclass
class Evidence:
    """Evidence of one household from one source line (or file)."""

    chats: list[ChatIn] = field(default_factory=list)
    tickets: list[TicketIn] = field(default_factory=list)
    claims: list[ClaimIn] = field(default_factory=list)

    def extend(self, other: Evidence) -> None:
        """Append ``other``'s records."""
        self.chats.extend(other.chats)
        self.tickets.extend(other.tickets)
        self.claims.extend(other.claims)


@dataclass
class OwnerIn:
    """The owner named in a bundle; personal values are clean (validated) text."""

    name: str
    mobile: str
    tags: list[str] = field(default_factory=list)
    id_number: str | None = None
    email: str | None = None
    wechat: str | None = None


@dataclass
class HouseholdIn:
    """One bundle line: where the household is, its owner, ledger lines, evidence and unknown fields.

    ``bills`` and ``payments`` are records in the shape of the billing importer (amounts in cents, ``_row``).
    ``extras`` maps a section (household, owner, chats, ...) to the fields this import does not model.
    """

    line: int
    project: str
    unit: str
    project_name: str | None = None
    city: str | None = None
    area_m2: float | None = None
    monthly_fee_cents: int | None = None
    owner: OwnerIn | None = None
    bills: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)
    extras: dict[str, dict] = field(default_factory=dict)
