"""Realistic Chinese evidence (chats, tickets, claims) for generated sample households."""

from .builder import BANKS, build_scenario
from .model import (
    CAUSE_IDS,
    CAUSE_NAMES,
    OWNER_TAGS,
    PAYMENT_PATTERNS,
    TICKET_STATUSES,
    TICKET_TYPES,
    ChatLine,
    ClaimRecord,
    ClaimSpec,
    Scenario,
    TicketEvent,
    TicketSpec,
    pick_cause,
    pick_secondary,
    to_datetime,
)
from .pilot import PILOT_ABSOLUTE, PILOT_FIRST_UNPAID_DUE, PILOT_PROFILE, PILOT_SCENARIO

__all__ = [
    "BANKS",
    "CAUSE_IDS",
    "CAUSE_NAMES",
    "OWNER_TAGS",
    "PAYMENT_PATTERNS",
    "PILOT_ABSOLUTE",
    "PILOT_FIRST_UNPAID_DUE",
    "PILOT_PROFILE",
    "PILOT_SCENARIO",
    "TICKET_STATUSES",
    "TICKET_TYPES",
    "ChatLine",
    "ClaimRecord",
    "ClaimSpec",
    "Scenario",
    "TicketEvent",
    "TicketSpec",
    "build_scenario",
    "pick_cause",
    "pick_secondary",
    "to_datetime",
]
