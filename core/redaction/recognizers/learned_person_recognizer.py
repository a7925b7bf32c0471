"""Person names found by the learned tagger: full names without a title (李雷, 欧阳娜娜), foreign names."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from core.redaction.entities import PERSON
from core.redaction.recognizers.learned_base import LearnedSpanRecognizer
from core.redaction.recognizers.surnames import COMMON_WORDS, COMPOUND_SURNAMES, NAME_SURNAMES
from core.redaction.recognizers.surnames import TITLES as BASE_TITLES

TITLES = (*BASE_TITLES, "同学")
_KIN_TITLES = ("姐姐", "哥哥", "妹妹", "弟弟", "阿姨", "叔叔", "大人", "老师", "同学")
_TRAILING_TITLES = tuple(sorted(set(TITLES + _KIN_TITLES), key=len, reverse=True))
_NOT_NAMES = frozenset({"业主", "管家", "物业", "师傅", "客服", "保安", "保洁", "老师", "领导"})


_NAME_TAGS = ("nr",)


@cache
def _dictionary_tags() -> dict[str, str]:
    """The part-of-speech dictionary of jieba: word → tag (nr for names)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg.dt.word_tag_tab


if TYPE_CHECKING:
    from core.redaction.learned.model import Span


def _is_code(text: str, start: int, end: int) -> bool:
    """Latin letters that are part of a code (WD-2024…, SF1234…, ID：…) or of a longer word or e-mail, not a name."""
    value = text[start:end]
    if not value.isascii():
        return False
    after = text[end : end + 1]
    before = text[start - 1 : start] if start else ""
    if before.isascii() and before.isalnum():
        return True
    return value.isupper() or value in ("ID", "No") or (after != "" and (after.isdigit() or after in "-_:：#@."))


class LearnedPersonRecognizer(LearnedSpanRecognizer):
    """Recognize PER spans of the learned tagger; a title right after the name is included.

    A span that starts with a common surname is kept at the tagger's (recall-first)
    threshold; any other span (foreign names, nicknames) needs ``OTHER_MIN_SCORE``. A
    span that is an ordinary dictionary word (电话, 短信) is dropped.
    """

    ENTITY = PERSON
    LABEL = "PER"
    OTHER_MIN_SCORE = 0.1
    CONTEXT = ["我是", "我叫", "业主", "租客", "儿子", "女儿", "老公", "老婆", "管家", "保安"]

    def accept(self, text: str, span: Span) -> tuple[int, int] | None:
        """Drop role words, codes and one-character spans; widen over a following title (王丽女士)."""
        value = text[span.start : span.end]
        if value in _NOT_NAMES or value in COMMON_WORDS or _is_code(text, span.start, span.end):
            return None
        tags = _dictionary_tags()
        tag = tags.get(value)
        if tag is not None and not tag.startswith(_NAME_TAGS):
            return None
        head = tags.get(value[:2])  # 方面还, 马上就: a common word, then a particle
        if len(value) == 3 and head is not None and not head.startswith(_NAME_TAGS) and head != "ns":
            return None
        surname_led = value[0] in NAME_SURNAMES or value[:2] in COMPOUND_SURNAMES
        if not surname_led and span.score < self.OTHER_MIN_SCORE:
            return None
        if len(value) < 2 and not (span.end < len(text) and text.startswith(_TRAILING_TITLES, span.end)):
            return None
        end = span.end
        for title in _TRAILING_TITLES:
            if text.startswith(title, end):
                end += len(title)
                break
        return span.start, end
