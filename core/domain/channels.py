"""The one table of contact channels and their Chinese names."""

from __future__ import annotations

CHANNEL_NAMES: dict[str, str] = {
    "sms": "短信",
    "wechat": "微信",
    "phone": "电话",
    "visit": "上门",
    "email": "邮件",
    "letter": "书面",
}
"""Channel code → name shown to stewards and owners."""
TASK_CHANNELS: frozenset[str] = frozenset({"phone", "visit"})
"""Channels a person carries out (a task, not a message)."""


def channel_name(channel: str, *, as_task: bool = False) -> str:
    """The Chinese name of ``channel`` (``电话任务`` for a task channel when ``as_task``); unknown codes as is."""
    name = CHANNEL_NAMES.get(channel, channel)
    return f"{name}任务" if as_task and channel in TASK_CHANNELS else name
