"""Turning plan steps into owner-facing words: template fill (deterministic) and placeholder restore."""

from __future__ import annotations

import re

from core.domain.money import to_yuan
from data.repositories.plan_facts import PlanFacts

OPT_OUT = "回复T退订"
_PLACEHOLDER = re.compile(r"【[^】]{1,8}】")


def periods_text(periods: tuple[str, ...] | list[str]) -> str:
    """2024-06..2024-08 → 2024年6月至8月 (or a single month)."""
    if not periods:
        return "本期"
    first, last = periods[0], periods[-1]
    fy, fm = int(first[:4]), int(first[5:])
    ly, lm = int(last[:4]), int(last[5:])
    if first == last:
        return f"{fy}年{fm}月"
    return f"{fy}年{fm}月至{lm}月" if fy == ly else f"{fy}年{fm}月至{ly}年{lm}月"


def instalment_amount(facts: PlanFacts, months: int | None) -> str | None:
    """Monthly instalment in yuan (2 decimals) or None."""
    if not months:
        return None
    return f"{to_yuan(-(-facts.arrears_cents // months)):.2f}"


def slots(facts: PlanFacts, *, months: int | None, fix_actions: str, followup: str) -> dict[str, str]:
    """Values for template placeholders."""
    return {
        "owner_title": facts.owner_title,
        "project_name": facts.project_name,
        "unit": facts.unit_label,
        "amount": f"{to_yuan(facts.arrears_cents):.2f}",
        "periods": periods_text(facts.periods),
        "due_date": followup,
        "pay_link": facts.pay_link,
        "steward_phone": "物业服务中心",
        "fix_actions": fix_actions,
        "followup_date": followup,
        "instalment_months": str(months or 6),
        "instalment_amount": instalment_amount(facts, months or 6) or "",
        "opt_out": OPT_OUT,
    }


def fill_template(text: str, values: dict[str, str]) -> str:
    """Fill a reviewed template; unknown placeholders are left out rather than failing."""

    class _Default(dict):
        def __missing__(self, key: str) -> str:
            return ""

    return text.format_map(_Default(values))


def restore_placeholders(text: str, facts: PlanFacts) -> str:
    """Model text uses 【业主】/【本户】; outgoing text addresses the owner and drops other placeholders."""
    text = text.replace("【业主】", facts.owner_title).replace("【本户】", facts.unit_label)
    text = re.sub(r"【工作人员\d*】", "管家", text)
    return _PLACEHOLDER.sub("", text).strip()


def finish_for_channel(text: str, channel: str) -> str:
    """Every SMS carries the opt-out line."""
    if channel == "sms" and "退订" not in text:
        text = text.rstrip("。") + "。" + OPT_OUT
    return text
