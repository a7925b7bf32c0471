"""The pay-link token: drafts carry 【缴费链接】, never a URL; the sender puts the owner's real link in its place.

A plan a steward reads and approves, a template under review and an instalment reminder waiting for its date
all say 【缴费链接】. Only at send time, once the case check has passed, does ``fill_pay_link`` replace it with
a bill link minted for that message (signed, stored, revocable: app.services.bill_links.SendLinks),
through app.services.collections.sending.with_pay_link.
"""

from __future__ import annotations

import re

PAY_LINK_TOKEN = "【缴费链接】"
PAY_LINK_LABEL = "发送时附专属缴费链接"
PAY_LINK_SHOWN = f"〔{PAY_LINK_LABEL}〕"
"""How screens show the token inside a draft's words."""

# A URL as a draft might contain one (model text, an older draft's placeholder link): up to the next space,
# Chinese character, CJK or full-width punctuation, quote or bracket.
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef<>\"'()]+", re.IGNORECASE)
# Drafts written before the token existed carried this stand-in address.
_LEGACY_PLACEHOLDER = re.compile(r"https?://pay\.steward\.local/b/[A-Za-z0-9_-]+")


def has_url(text: str) -> bool:
    """Whether ``text`` contains a web address."""
    return _URL.search(text or "") is not None


def has_pay_link(text: str) -> bool:
    """Whether a draft asks for the owner's pay link."""
    return PAY_LINK_TOKEN in (text or "") or _LEGACY_PLACEHOLDER.search(text or "") is not None


def urls_to_token(text: str) -> str:
    """A draft's web addresses become the token: no address but the owner's own link ever reaches an owner."""
    return _URL.sub(PAY_LINK_TOKEN, text)


def fill_pay_link(text: str, url: str) -> str:
    """The words as sent: the token (and an older draft's stand-in address) replaced by the owner's link."""
    return _LEGACY_PLACEHOLDER.sub(url, text).replace(PAY_LINK_TOKEN, url)


def show_pay_link(text: str) -> str:
    """The words as a steward reviews them: the token shown as the label 〔发送时附专属缴费链接〕."""
    return _LEGACY_PLACEHOLDER.sub(PAY_LINK_SHOWN, text or "").replace(PAY_LINK_TOKEN, PAY_LINK_SHOWN)
