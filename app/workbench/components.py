"""Small shared widgets: warning badges, reachability lights, evidence anchors."""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation

import nh3
import streamlit as st

WARNING_ICON = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
LIGHT = {"red": ":red[●]", "yellow": ":orange[●]", "green": ":green[●]"}
WARNING_NAME = {"red": "红色预警", "yellow": "黄色预警", "green": "正常"}
STAGE_ADVICE = {
    None: "无欠费，保持日常服务",
    "预警": "友好提醒：短信/微信，T+7 电话",
    "初级": "沟通原因，提供分期，发缴费通知",
    "中级": "主管介入，发催告函",
    "高级": "依法催告后准备诉讼材料（须经理审核）",
}


def anchor_id(evidence_id: str) -> str:
    """HTML id for an evidence item: msg:m3 → ev-msg-m3."""
    return "ev-" + re.sub(r"[^A-Za-z0-9_-]", "-", evidence_id)


# Every ASCII punctuation character Markdown, GFM autolinks, Streamlit's :color[...] / :icon: and $math$ react to,
# except & < > (HTML-escaped instead: an escaped "&" would show the entity's letters).
_MD_SPECIAL = re.compile(r"([!\"#$%'()*+,\-./:=?@\[\\\]^_`{|}~])")
SAFE_TAGS = {"a", "small", "code", "strong", "em", "br"}
SAFE_ATTRIBUTES = {"a": {"id"}}


def inert(text: object, *, lines: bool = False) -> str:
    """Text that st.markdown (even with unsafe_allow_html) shows literally: no HTML, links, images or formatting.

    Owner text (chats, tickets, claims, names, notes) and model output quoting it always go through this.
    With ``lines`` the line breaks are kept, otherwise the text is one line.
    """
    value = "" if text is None else str(text)
    value = html.escape(_MD_SPECIAL.sub(r"\\\1", value), quote=False)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "  \n" if lines else " ")


def safe_html(fragment: str) -> str:
    """Our small markup (anchors, <small>) after nh3: any tag, attribute or URL not on the list is removed."""
    return nh3.clean(fragment, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes=set(), link_rel=None)


def lights(items: list[dict]) -> None:
    """One line per channel with a coloured light and the reasons."""
    cols = st.columns(len(items))
    for col, item in zip(cols, items, strict=True):
        reasons = inert("、".join(item["reasons"]) or "可联系")
        col.markdown(
            f"{LIGHT[item['color']]} **{inert(item['name'])}**  \n" + safe_html(f"<small>{reasons}</small>"),
            unsafe_allow_html=True,
        )


def yuan_cents(text: str) -> int | None:
    """An amount typed in yuan (e.g. 560 or 560.5) in cents; None unless it is a number above 0."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return int((value * 100).to_integral_value()) if value.is_finite() and value > 0 else None


def md_escape(text: str) -> str:
    """Text shown literally by st.markdown (masked values contain asterisks; owner text may contain anything)."""
    return inert(text)


def warning_badge(color: str, reasons: list[str]) -> str:
    """Text badge for a queue row."""
    return f"{WARNING_ICON.get(color, '')} {'；'.join(reasons) or WARNING_NAME.get(color, '')}"
