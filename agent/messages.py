"""Turning plan steps into owner-facing words: template fill (deterministic) and placeholder restore."""

from __future__ import annotations

import re

from core.domain.collections.pay_link import PAY_LINK_TOKEN, urls_to_token
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
    """Model text uses 【业主】/【本户】; outgoing text addresses the owner and drops other placeholders.

    The pay-link token 【缴费链接】 stays (the sender fills in the owner's link), and any web address the model
    wrote becomes that token: a draft never carries a URL.
    """
    text = text.replace("【业主】", facts.owner_title).replace("【本户】", facts.unit_label)
    text = re.sub(r"【工作人员\d*】", "管家", urls_to_token(text))
    return _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(0) == PAY_LINK_TOKEN else "", text).strip()


def finish_for_channel(text: str, channel: str) -> str:
    """Every SMS carries the opt-out line."""
    if channel == "sms" and "退订" not in text:
        text = text.rstrip("。") + "。" + OPT_OUT
    return text


# A greeting or salutation the model wrote itself ("【业主】您好！", "【业主】，"): the template has one already.
OPENING_MAX_CHARS = 48  # the grammar's cap on an opening sentence (a 40-character sentence and some slack)
EXPLANATION_MAX_CHARS = 60  # the grammar's cap on the diagnosis explanation
_OWN_GREETING = re.compile(
    r"^(?:(?:【业主】|尊敬的业主|业主)?[，,]?\s*您好[！，,!。]?|(?:【业主】|尊敬的业主)[，,：:])\s*"
)
_GREETING = re.compile(r"^[^。！？\n]{0,24}?(?:您好[！，,!]|：\s*)")


def whole_sentences(text: str, limit: int) -> str:
    """The model's text ending in a full stop, cut back to its last complete sentence (or clause) at ``limit``.

    ``limit`` is the grammar's length cap, which stops the model mid-sentence.
    """
    text = text.strip()
    if not text or text[-1] in "。！？!?":
        return text
    if len(text) < limit:
        return text + "。"
    ends = [text.rfind(p) for p in "。！？!?"]
    if max(ends) > 0:
        return text[: max(ends) + 1]
    clauses = [text.rfind(p) for p in "，；、,;"]
    return (text[: max(clauses)] if max(clauses) > 0 else text) + "。"


def with_opening(template_text: str, opening: str) -> str:
    """The reviewed template with the model's opening sentence after its greeting (in front when it has none).

    "王女士，您好！" + opening + the rest; a letter's "王女士：" likewise. The opening ends with a full stop.
    """
    # Cut first: the grammar's cap counts the greeting the model may have written, which is dropped after.
    opening = _OWN_GREETING.sub("", whole_sentences(opening, OPENING_MAX_CHARS))
    if not opening:
        return template_text
    match = _GREETING.match(template_text)
    if not match:
        return opening + template_text
    head, rest = template_text[: match.end()], template_text[match.end() :]
    return head + opening + rest.lstrip()
