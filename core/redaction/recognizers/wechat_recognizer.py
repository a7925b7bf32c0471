"""WeChat ids written after a label such as 微信号：, 微信, vx or VX."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import WECHAT_ID
from core.redaction.recognizers.base import ChinesePatternRecognizer

_LABEL = r"(?:微信号|微信|威信|薇信|[vV]信|[vV][xX]|[wW][xX]|[wW]e[cC]hat|weixin)(?:号码?|[iI][dD])?"


class ChineseWeChatRecognizer(ChinesePatternRecognizer):
    """Recognize a labelled WeChat id: a letter then 5–19 letters, digits, _ or -.

    Only the id is returned, not the label; a WeChat "id" that is a phone number is
    left to the mobile recognizer.
    """

    ENTITY = WECHAT_ID
    PATTERNS = [
        Pattern(
            "wechat_labelled",
            rf"(?<={_LABEL}\s*(?:是|为|:|：)?\s*)[A-Za-z][-_A-Za-z0-9]{{5,19}}(?![-_A-Za-z0-9@.])",
            0.8,
        ),
    ]
    CONTEXT = ["微信", "加", "好友"]
