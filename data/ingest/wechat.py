"""Parse the plain chat export stewards copy out of WeChat: `王女士：……` per message, date headers, continuations.

Format, line by line:
- a date header sets the day (and optionally the time) of the messages after it: `2024-08-01`,
  `2024/8/1 09:30`, `2024年8月1日 09:30`, `——— 2024年8月1日 星期四 ———`; a bare `09:30` line sets the time;
- `发言人：内容` (full-width or ASCII colon; optional leading `09:31 `) starts a message;
- any other non-blank line continues the previous message (multi-line messages); blank lines are ignored.
Lines that cannot be placed (a message before any date, text before any message) are reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from data.ingest.fields import free_text
from data.ingest.ids import assign_chat_ids
from data.ingest.model import ChatIn
from data.ingest.problems import FieldProblem

_DATE = re.compile(
    r"^[\s\-—=]*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?[\s\-—=]*$"
)
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_MESSAGE = re.compile(
    r"^\s*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?\s+)?"
    r"(?P<speaker>[\u4e00-\u9fffA-Za-z0-9·_\-]{1,16})\s*[：:]\s*(?P<text>.*)$"
)


@dataclass
class WeChatParse:
    """Messages found and problems as (line, field, value, reason)."""

    chats: list[ChatIn] = field(default_factory=list)
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)


def _clock(hour: str | None, minute: str | None, second: str | None) -> time | None:
    if hour is None:
        return None
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    return time(h, m, s) if h < 24 and m < 60 and s < 60 else None


def _is_message(match: re.Match[str] | None) -> bool:
    return bool(match) and not match["speaker"].isdigit() and not match["text"].startswith("//")


class _Parser:
    def __init__(self) -> None:
        self.out = WeChatParse()
        self.day: date | None = None
        self.at = time(0, 0)
        self.current: ChatIn | None = None

    def feed(self, number: int, line: str) -> None:
        if not line.strip():
            return
        header = _DATE.match(line)
        if header:
            self._header(number, line, header)
            return
        bare = _TIME.match(line)
        if bare:
            self.at = _clock(*bare.groups()) or self.at
            return
        message = _MESSAGE.match(line)
        if _is_message(message):
            self._start(number, line, message)
        elif self.current is not None:
            self.current.text = f"{self.current.text}\n{line.strip()}".strip()
        else:
            self.out.problems.append((number, "整行", line.strip(), "无法识别的行：既不是日期行，也不是“发言人：内容”"))

    def _header(self, number: int, line: str, match: re.Match[str]) -> None:
        self._close()
        try:
            self.day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            self.day = None
            self.out.problems.append((number, "日期", line.strip(), "日期不存在；其后的消息在下一个日期行之前都将跳过"))
            return
        self.at = _clock(match[4], match[5], match[6]) or time(0, 0)

    def _start(self, number: int, line: str, match: re.Match[str]) -> None:
        self._close()
        if self.day is None:
            self.out.problems.append(
                (number, "日期", line.strip(), "消息之前没有日期行（如 2024-08-01）；已跳过该条消息")
            )
            return
        self.at = _clock(match[1], match[2], match[3]) or self.at
        self.current = ChatIn(
            ext_id="",
            sent_at=datetime.combine(self.day, self.at),
            speaker=match["speaker"],
            text=match["text"].strip(),
            line=number,
        )

    def _close(self) -> None:
        chat, self.current = self.current, None
        if chat is None:
            return
        try:
            chat.text = free_text(chat.text, "内容")
        except FieldProblem as problem:
            self.out.problems.append(
                (chat.line, "内容", str(problem.value or chat.speaker)[:40], f"{problem.reason}；已跳过该条消息")
            )
            return
        self.out.chats.append(chat)


def parse_wechat(lines: Iterable[tuple[int, str]]) -> WeChatParse:
    """Parse numbered lines of a WeChat export; ids are derived from date + speaker + text."""
    parser = _Parser()
    for number, line in lines:
        parser.feed(number, line.replace("\u3000", " "))
    parser._close()  # noqa: SLF001 - the last message ends with the file
    assign_chat_ids(parser.out.chats)
    return parser.out
