"""Speaker roles and owner titles."""

from __future__ import annotations

import pytest

from data.ingest import OwnerNames, owner_title
from data.ingest.speakers import legal_name

ZHANG = OwnerNames(name="张伟", title="张先生")
OUYANG = OwnerNames(name="欧阳娜", title="欧阳业主")


@pytest.mark.parametrize(
    ("owner", "speaker", "role"),
    [
        (ZHANG, "业主", "owner"),
        (ZHANG, "张伟", "owner"),
        (ZHANG, "张先生", "owner"),
        (ZHANG, "张总", "owner"),
        (ZHANG, "业主张先生", "owner"),
        (ZHANG, "张女士", "other"),
        (ZHANG, "章先生", "other"),
        (ZHANG, "管家", "steward"),
        (ZHANG, "李管家", "steward"),
        (ZHANG, "物业前台", "steward"),
        (ZHANG, "客服", "service"),
        (ZHANG, "客服小王", "service"),
        (ZHANG, "王师傅", "other"),
        (OUYANG, "欧阳女士", "owner"),
        (OUYANG, "欧阳先生", "owner"),
        (OUYANG, "欧先生", "other"),
        (OwnerNames(), "业主", "owner"),
        (OwnerNames(), "张先生", "other"),
    ],
)
def test_when_speaker_is_named_then_role_is_recognised(owner, speaker, role):
    assert owner.role(speaker) == role


@pytest.mark.parametrize(
    ("name", "id_number", "title"),
    [
        ("张先生", None, "张先生"),
        ("欧阳女士", None, "欧阳女士"),
        ("王丽", "110105198503124523", "王女士"),
        ("李强", None, "李业主"),
        ("司马光", None, "司马业主"),
    ],
)
def test_when_owner_is_named_then_title_follows_the_rules(name, id_number, title):
    assert owner_title(name, id_number) == title


def test_when_name_is_only_a_title_then_no_personal_name_is_stored():
    assert legal_name("张先生") == "" and legal_name("张伟") == "张伟"
