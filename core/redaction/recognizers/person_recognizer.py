"""Person names: surname + title (王女士, 李管家), nicknames (小李) and full names in name contexts."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import PERSON
from core.redaction.recognizers.base import CJK, ChinesePatternRecognizer
from core.redaction.recognizers.surnames import (
    COMMON_WORDS,
    COMPOUND_SURNAMES,
    NAME_SURNAMES,
    NICKNAME_SURNAMES,
    TITLED_SURNAMES,
    TITLES,
)

"""Titles after a surname; 总 is handled separately (总是, 总共 are not names)."""

# Characters that cannot be part of a given name (particles, verbs, titles' first chars).
_GIVEN_STOP = (
    "的了啊呢吧吗呀哦嘛哈是在和与跟给也都就还把被让请已未没不很又再才会能可该这那有为以及等们"
    "说问讲反投要想来去到打发回觉认同表希需对从向所因但而或并且即便虽些个位次处理联系电话手机号码"
    "住房楼栋单元室交缴费先生女士姐哥叔傅师经主管总阿今昨上下前后刚业物"
)
_GIVEN = rf"(?:(?![{_GIVEN_STOP}])[{CJK}])"
_COMPOUND = "|".join(COMPOUND_SURNAMES)
_TITLE = "|".join(TITLES) + r"|总(?![是算共计之体额价部数结裁量监])"
_LEADING_PARTICLES = "向安于常单连时全应成明古和谢"
_BEFORE_BARE_NAME = r"(?<=^|[\s，。！？、；：,.!?;:（(【“\"'的和与跟给让请问向对把被由])"
_NAME_TRIGGERS = (
    "我是|我叫|本人|联系人|业主|户主|户名|租户|租客|住户|房东|找|姓名|名字是|名字叫|名叫|叫做|叫|收件人|委托人|代缴人|"
    "家属|转告|儿子|女儿|老公|老婆|爱人|丈夫|妻子|父亲|母亲|爸爸|妈妈|哥哥|姐姐|弟弟|妹妹"
)
_NAME_FOLLOWERS = (
    "说|表示|反映|称|回复|答复|同意|拒绝|承诺|投诉|来电|的电话|的手机|的微信|的快递|的车|的账单|的物业费|的房子"
)
_NICK_NOT_FOLLOWED = "层历末醋子序务款客天地区件票额板婆公虾海点圆车雨站场房"


class ChinesePersonRecognizer(ChinesePatternRecognizer):
    """Recognize Chinese person references common in steward chats and tickets.

    The span covers the whole reference, title included (王女士, 李管家, 小李, 王丽),
    so the redactor can tell owners from staff by the title.
    """

    ENTITY = PERSON
    PATTERNS = [
        Pattern(
            "surname_title",
            # Skip a leading particle that is also a surname (向王女士, 保安王师傅).
            rf"(?![{_LEADING_PARTICLES}](?:{_COMPOUND}|[{TITLED_SURNAMES}]){_GIVEN}?(?:{_TITLE}))"
            rf"(?:{_COMPOUND}|[{TITLED_SURNAMES}]){_GIVEN}{{0,2}}?(?:{_TITLE})",
            0.85,
        ),
        Pattern(
            "nickname",
            rf"[小老][{NICKNAME_SURNAMES}](?![{_NICK_NOT_FOLLOWED}])",
            0.65,
        ),
        Pattern(
            "after_trigger",
            rf"(?<=(?:{_NAME_TRIGGERS})\s*[:：]?\s*)(?:{_COMPOUND}|[{NAME_SURNAMES}]){_GIVEN}{{1,2}}",
            0.75,
        ),
        Pattern(
            "chat_speaker",
            rf"(?<=^[ \t]*)(?:{_COMPOUND}|[{NAME_SURNAMES}]){_GIVEN}{{1,2}}(?=\s*[:：])",
            0.75,
        ),
        Pattern(
            "before_verb",
            rf"{_BEFORE_BARE_NAME}(?:{_COMPOUND}|[{NAME_SURNAMES}]){_GIVEN}{{1,2}}(?=(?:{_NAME_FOLLOWERS}))",
            0.6,
        ),
    ]
    CONTEXT = ["业主", "联系人", "管家", "客服", "师傅", "我是", "我叫"]

    def invalidate_result(self, pattern_text: str) -> bool:
        """Reject common words that merely start with a surname character (方面, 马上)."""
        if pattern_text in COMMON_WORDS:
            return True
        title = next((t for t in TITLES if pattern_text.endswith(t)), None)
        if title:
            return pattern_text[: -len(title)] in COMMON_WORDS
        # A longer name may start like a word (黎明辉), so only whole matches are checked.
        return False
