"""Names in @-mentions of group chats and reposts (@王丽 你好, //@张建国：…), not e-mail addresses."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import PERSON
from core.redaction.recognizers.base import ChinesePatternRecognizer

_END = r"\s@:：,，。.!！?？;；/、()（）\[\]【】《》<>\"'“”"


class MentionRecognizer(ChinesePatternRecognizer):
    """Recognize the display name after an @ that does not follow a letter or digit (e-mail).

    A WeChat or Weibo export writes people as @name; the name runs to the next space or
    punctuation mark, at most 20 characters. 【…】 placeholders and roles (@全体业主, @管家)
    are not names.
    """

    ENTITY = PERSON
    PATTERNS = [
        Pattern(
            "mention", rf"(?<![A-Za-z0-9._%+\-]@)(?<=@)(?!【|全体|所有人|管家|物业|客服|业主)[^{_END}]{{1,20}}", 0.6
        ),
    ]
    CONTEXT = ["@"]
