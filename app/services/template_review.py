"""Compliance review of the reviewed script templates: render with sample values and run the rule engine."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from core.domain.collections.pay_link import PAY_LINK_TOKEN
from core.domain.compliance import CHANNELS, ComplianceContext, OutgoingMessage, check_message

SAMPLE_VALUES = {
    "owner_title": "尊敬的业主",
    "project_name": "示例社区",
    "unit": "1号楼101",
    "amount": "1680.00",
    "periods": "2024年6月至8月",
    "due_date": "9月15日",
    "pay_link": PAY_LINK_TOKEN,
    "steward_phone": "物业服务中心",
    "fix_actions": "当日清理楼道并加派保洁",
    "followup_date": "9月10日",
    "instalment_months": "6",
    "instalment_amount": "280.00",
    "opt_out": "回复T退订",
}
SEND_AT = datetime(2024, 9, 3, 10, 0)  # a Tuesday morning: schedule rules stay quiet
WORDING_FAMILIES = ("coercion", "lexicon", "privacy", "amounts", "sms")


def render_sample(text: str) -> str:
    """Fill a template's placeholders with neutral sample values."""

    class _Default(dict):
        def __missing__(self, key: str) -> str:
            return ""

    return text.format_map(_Default(SAMPLE_VALUES))


def review_templates(root: Path | str | None = None) -> list[dict]:
    """Every template with its rendered sample and the sensitive-word hints of each stage it serves."""
    from knowledge_base.catalog import load_templates

    ctx = ComplianceContext(
        ledger_amount=Decimal(SAMPLE_VALUES["amount"]),
        allowed_amounts=frozenset({Decimal(SAMPLE_VALUES["instalment_amount"])}),
    )
    out = []
    for tpl in load_templates(root):
        text = render_sample(tpl.text)
        channel = tpl.channel if tpl.channel in CHANNELS else "wechat"
        hints = []
        for stage in tpl.stages:
            msg = OutgoingMessage(step_id=tpl.id, channel=channel, text=text, send_at=SEND_AT, stage=stage)
            for failure in check_message(msg, ctx, WORDING_FAMILIES):
                hints.append(
                    {
                        "stage": stage,
                        "rule": failure.rule,
                        "excerpt": failure.excerpt,
                        "message": failure.message,
                        "hint": failure.hint,
                    }
                )
        out.append(
            {
                "id": tpl.id,
                "name": tpl.name,
                "scenario": tpl.scenario,
                "stages": tpl.stages,
                "channel": tpl.channel,
                "politeness": tpl.politeness,
                "text": tpl.text,
                "sample": text,
                "passed": not hints,
                "hints": hints,
            }
        )
    return out


def check_text(text: str, *, stage: str = "预警", channel: str = "sms", amount: str = "0") -> list[dict]:
    """Sensitive-word hints for a free text (e.g. a template draft being reviewed)."""
    ctx = ComplianceContext(ledger_amount=Decimal(amount or "0"))
    msg = OutgoingMessage(step_id="draft", channel=channel, text=text, send_at=SEND_AT, stage=stage)
    families = tuple(f for f in WORDING_FAMILIES if f != "amounts" or amount not in ("", "0"))
    return [f.to_dict() for f in check_message(msg, ctx, families)]
