"""Chinese PII recognizers for presidio, one per module."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from core.redaction.recognizers.address_recognizer import ChineseAddressRecognizer
from core.redaction.recognizers.bank_card_recognizer import ChineseBankCardRecognizer
from core.redaction.recognizers.email_recognizer import ChineseEmailRecognizer
from core.redaction.recognizers.landline_recognizer import ChineseLandlineRecognizer
from core.redaction.recognizers.learned_address_recognizer import LearnedAddressRecognizer
from core.redaction.recognizers.learned_person_recognizer import LearnedPersonRecognizer
from core.redaction.recognizers.license_plate_recognizer import ChineseLicensePlateRecognizer
from core.redaction.recognizers.mention_recognizer import MentionRecognizer
from core.redaction.recognizers.mobile_recognizer import ChineseMobileRecognizer
from core.redaction.recognizers.person_recognizer import ChinesePersonRecognizer
from core.redaction.recognizers.resident_id_recognizer import ChineseResidentIdRecognizer
from core.redaction.recognizers.wechat_recognizer import ChineseWeChatRecognizer

RECOGNIZER_CLASSES = (
    ChineseMobileRecognizer,
    ChineseLandlineRecognizer,
    ChineseResidentIdRecognizer,
    ChineseBankCardRecognizer,
    ChineseEmailRecognizer,
    ChineseWeChatRecognizer,
    ChineseLicensePlateRecognizer,
    ChineseAddressRecognizer,
    ChinesePersonRecognizer,
    MentionRecognizer,
    LearnedPersonRecognizer,
    LearnedAddressRecognizer,
)


def build_recognizers() -> list[EntityRecognizer]:
    """Return a fresh instance of every Chinese recognizer."""
    return [cls() for cls in RECOGNIZER_CLASSES]


__all__ = [cls.__name__ for cls in RECOGNIZER_CLASSES] + ["RECOGNIZER_CLASSES", "build_recognizers"]
