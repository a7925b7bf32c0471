"""Chinese PII recognizers for presidio, one per module."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from tools.redaction.recognizers.address_recognizer import ChineseAddressRecognizer
from tools.redaction.recognizers.bank_card_recognizer import ChineseBankCardRecognizer
from tools.redaction.recognizers.email_recognizer import ChineseEmailRecognizer
from tools.redaction.recognizers.landline_recognizer import ChineseLandlineRecognizer
from tools.redaction.recognizers.learned_address_recognizer import LearnedAddressRecognizer
from tools.redaction.recognizers.learned_person_recognizer import LearnedPersonRecognizer
from tools.redaction.recognizers.license_plate_recognizer import ChineseLicensePlateRecognizer
from tools.redaction.recognizers.mobile_recognizer import ChineseMobileRecognizer
from tools.redaction.recognizers.person_recognizer import ChinesePersonRecognizer
from tools.redaction.recognizers.resident_id_recognizer import ChineseResidentIdRecognizer
from tools.redaction.recognizers.wechat_recognizer import ChineseWeChatRecognizer

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
    LearnedPersonRecognizer,
    LearnedAddressRecognizer,
)


def build_recognizers() -> list[EntityRecognizer]:
    """Return a fresh instance of every Chinese recognizer."""
    return [cls() for cls in RECOGNIZER_CLASSES]


__all__ = [cls.__name__ for cls in RECOGNIZER_CLASSES] + ["RECOGNIZER_CLASSES", "build_recognizers"]
