"""One parametrized table per recognizer: positives, negatives and checksum failures."""

from __future__ import annotations

import pytest

from core.redaction import entities as ent
from core.redaction.recognizers import (
    ChineseBankCardRecognizer,
    ChineseResidentIdRecognizer,
    build_recognizers,
)
from core.redaction.recognizers.bank_card_recognizer import luhn_valid
from core.redaction.recognizers.resident_id_recognizer import resident_id_check_char

MOBILE_CASES = [
    ("电话13800138000", ["13800138000"]),
    ("回电 138 0013 8000 谢谢", ["138 0013 8000"]),
    ("号码138-0013-8000", ["138-0013-8000"]),
    ("+86 139 1234 5678 是我", ["+86 139 1234 5678"]),
    ("0086 15912345678", ["0086 15912345678"]),
    ("编号123800138000", []),
    ("订单13800138000123", []),
    ("电话12345678901", []),
    ("客服热线400-800-1234", []),
]

LANDLINE_CASES = [
    ("座机010-12345678", ["010-12345678"]),
    ("单位 0755-1234567", ["0755-1234567"]),
    ("(028)87654321 找我", ["(028)87654321"]),
    ("座机01087654321", ["01087654321"]),
    ("编号01087654321", []),
    ("日期2024-08-01", []),
    ("工单WD-20240801-001", []),
]

RESIDENT_ID_CASES = [
    ("身份证330106195907211491", ["330106195907211491"]),
    ("身份证31010419770703346X", ["31010419770703346X"]),
    ("证件 11010519640118979x", ["11010519640118979x"]),
    ("身份证330106195907211490", []),
    ("身份证330106195913211491", []),
    ("流水202408011234567890", []),
]

BANK_CARD_CASES = [
    ("卡号6222023194875749119", ["6222023194875749119"]),
    ("卡号 6228 4886 2527 6018 955", ["6228 4886 2527 6018 955"]),
    ("卡 6217-0055-9797-1147-107", ["6217-0055-9797-1147-107"]),
    ("信用卡6225884974650759", ["6225884974650759"]),
    ("卡号6222023194875749112", []),
    ("卡号622202319487574", []),
    ("尾号 8955", []),
]

EMAIL_CASES = [
    ("邮箱wangli@163.com谢谢", ["wangli@163.com"]),
    ("发到 lisa.chen@company.com.cn。", ["lisa.chen@company.com.cn"]),
    ("finance+wy@steward.cn 抄送", ["finance+wy@steward.cn"]),
    ("@全体业主 请注意", []),
    ("邮箱wangli@，请重填", []),
]

WECHAT_CASES = [
    ("微信号：wang_li88，谢谢", ["wang_li88"]),
    ("vx：zhangsan_2024", ["zhangsan_2024"]),
    ("VX:Chen-Mei-77 备注", ["Chen-Mei-77"]),
    ("加我微信 lily1203abc", ["lily1203abc"]),
    ("微信支付已到账", []),
    ("微信 OK", []),
    ("已通过微信提醒业主", []),
]

PLATE_CASES = [
    ("车牌京A12345", ["京A12345"]),
    ("粤B·D12345 新能源", ["粤B·D12345"]),
    ("川AF12345", ["川AF12345"]),
    ("闽D·12345D", ["闽D·12345D"]),
    ("苏州工作", []),
    ("京东快递", []),
    ("京ABCDEF", []),
]

ADDRESS_CASES = [
    ("我家4号楼1203", ["4号楼1203"]),
    ("房号 4 号楼 1203", ["4 号楼 1203"]),
    ("7栋2单元502室漏水", ["7栋2单元502室"]),
    ("3号楼2单元1101", ["3号楼2单元1101"]),
    ("住在朝阳区建国路88号", ["朝阳区建国路88号"]),
    ("1203室的空调", ["1203室"]),
    ("4号楼楼梯口", []),
    ("12号楼大堂", []),
    ("3室2厅", []),
    ("退款 1203 元", []),
    ("12号楼300元", []),
    ("楼上1303天天装修", ["1303"]),
    ("楼下300元的那户", []),
]

PERSON_CASES = [
    ("王女士：李管家，你好", ["王女士", "李管家"]),
    ("保洁主管张师傅", ["张师傅"]),
    ("我是王丽，4号楼的", ["王丽"]),
    ("联系人：赵敏", ["赵敏"]),
    ("找孙建国", ["孙建国"]),
    ("客服小李", ["小李"]),
    ("向宋女士道歉", ["宋女士"]),
    ("保安王师傅", ["王师傅"]),
    ("马总的公司", ["马总"]),
    ("管家说明天给方案", []),
    ("马上安排", []),
    ("方案业主方面还没确认", []),
    ("周总是抽查", []),
    ("小区的小程序", []),
    ("高层住户", []),
]

TABLES = [
    (ent.MOBILE, MOBILE_CASES),
    (ent.LANDLINE, LANDLINE_CASES),
    (ent.RESIDENT_ID, RESIDENT_ID_CASES),
    (ent.BANK_CARD, BANK_CARD_CASES),
    (ent.EMAIL, EMAIL_CASES),
    (ent.WECHAT_ID, WECHAT_CASES),
    (ent.LICENSE_PLATE, PLATE_CASES),
    (ent.ADDRESS, ADDRESS_CASES),
    (ent.PERSON, PERSON_CASES),
]
CASES = [
    pytest.param(entity, text, expected, id=f"{entity}-{i}")
    for entity, table in TABLES
    for i, (text, expected) in enumerate(table)
]


@pytest.mark.parametrize(("entity_type", "text", "expected"), CASES)
def test_when_text_is_analyzed_then_recognizer_finds_exactly_the_expected_spans(detect, entity_type, text, expected):
    assert detect(text, entity_type) == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("330106195907211491", True),
        ("31010419770703346X", True),
        ("330106195907211490", False),
        ("330106195902301491", False),
        ("3301061959072114", False),
    ],
)
def test_when_resident_id_checksum_or_date_is_wrong_then_validation_rejects(value, valid):
    assert ChineseResidentIdRecognizer().validate_result(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("6222023194875749119", True),
        ("6225 8849 7465 0759", True),
        ("6222023194875749112", False),
        ("622202319487574", False),
    ],
)
def test_when_bank_card_fails_luhn_or_length_then_validation_rejects(value, valid):
    assert ChineseBankCardRecognizer().validate_result(value) is valid


def test_when_check_helpers_are_given_known_values_then_they_agree():
    assert resident_id_check_char("11010519491231002") == "X"
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_when_recognizers_are_built_then_each_has_context_words_and_one_entity():
    for recognizer in build_recognizers():
        assert recognizer.context, recognizer.name
        assert len(recognizer.supported_entities) == 1
        assert recognizer.supported_language == "zh"
