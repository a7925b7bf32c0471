"""Assemble one household's scenario from the cause banks with an injected random generator."""

from __future__ import annotations

import random

from . import (
    behaviour,
    communication,
    external,
    management,
    service_basic,
    service_response,
    special,
)
from .bank import CauseBank
from .chats import (
    Session,
    first_session,
    flatten,
    noise_sessions,
    pii_session,
    reminders,
    secondary_session,
    service_session,
)
from .common import WORKERS
from .draw import pick, span
from .model import Scenario
from .records import build_claims, build_tickets, draw_tags

BANKS: dict[str, CauseBank] = {
    **service_basic.BANKS,
    **service_response.BANKS,
    **management.BANKS,
    **communication.BANKS,
    **external.BANKS,
    **special.BANKS,
    **behaviour.BANKS,
}

_PII_SHARE = 0.12


def build_scenario(
    cause_id: str,
    rng: random.Random,
    *,
    owner_title: str,
    steward_title: str,
    unit_label: str,
    building: str,
    secondary_cause_id: str | None = None,
) -> Scenario:
    """Write the chats, tickets and claims of one household whose arrears stem from `cause_id`.

    Args:
        cause_id: The ground-truth primary cause (one of CAUSE_IDS).
        rng: The injected random generator; equal seeds give equal scenarios.
        owner_title: How the owner is addressed, like 王女士.
        steward_title: How the steward signs, like 李管家.
        unit_label: The unit, like 4号楼1203.
        building: The building, like 4号楼.
        secondary_cause_id: An optional weaker second cause.

    Returns:
        The scenario; days are relative to the first unpaid due date.

    Raises:
        ValueError: If a cause id is unknown or the secondary equals the primary.
    """
    bank = BANKS.get(cause_id)
    second = BANKS.get(secondary_cause_id) if secondary_cause_id else None
    if bank is None or (secondary_cause_id and (second is None or secondary_cause_id == cause_id)):
        raise ValueError(f"unknown or invalid cause pair: {cause_id!r}, {secondary_cause_id!r}")
    rand = rng.random
    slots = {
        "o": owner_title,
        "s": steward_title,
        "u": unit_label,
        "b": building,
        "w": pick(rand, WORKERS),
        "n": "1",
    }
    if second is not None:
        for name, fillers in second.slots:
            slots[name] = pick(rand, fillers)
    for name, fillers in bank.slots:
        slots[name] = pick(rand, fillers)

    start = span(rand, *bank.reminder_start)
    anchor = start
    sessions: list[Session] = []
    if bank.owner_initiates:
        first = first_session(bank, rand, slots)
        anchor = first[0]
        if bank.service_lines:
            sessions.append(service_session(bank, rand, slots, anchor - span(rand, 1, 5)))
        sessions.append(first)
    # with a second cause present the primary gets more airtime so it stays the main story
    sessions.extend(reminders(bank, rand, slots, start, 2 if second is None else 3))
    if second is not None:
        sessions.append(secondary_session(second, rand, slots))
    sessions.extend(noise_sessions(rand, slots))
    if rand() < _PII_SHARE:
        sessions.append(pii_session(rng, slots, owner_title))

    ticket_specs = build_tickets(bank, second, rand, slots, anchor)
    claim_specs = build_claims(bank, second, rand, slots, max(anchor, 0) + span(rand, 3, 20))
    return Scenario(
        cause_id,
        secondary_cause_id,
        flatten(sessions),
        ticket_specs,
        claim_specs,
        pick(rand, bank.patterns),
        draw_tags(bank, rand),
    )
