"""The one table of plan statuses and their Chinese names."""

from __future__ import annotations

PLAN_STATUS_NAMES: dict[str, str] = {
    "awaiting_approval": "待审批",
    "approved": "已批准",
    "rejected": "已驳回",
    "ignored": "已驳回",
    "blocked": "未通过校验",
    "superseded": "已被新版本替代",
}
"""Plan status → name shown to stewards."""
LIVE_PLAN_STATUSES: frozenset[str] = frozenset({"awaiting_approval", "approved"})
"""Statuses of a plan that may still send or be approved."""
