"""WeChat plain-text exports: date headers, multi-line messages, owner recognition, stable ids."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest
from sqlalchemy import select

from data.db.models import ChatMessage
from data.importers.errors import ImportFileError
from data.ingest import parse_wechat
from tests.ingest.conftest import run

EXPORT = """以下为与“张先生”的聊天记录
2024年8月1日 09:30
张先生：垃圾又没人收
你们看看
照片在群里
李管家：收到，马上处理。
——— 2024-08-02 星期五 ———
10:15 业主：好多了
客服：感谢反馈
"""


def _lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))


def test_when_export_has_headers_and_continuations_then_messages_get_dates_and_full_text():
    parsed = parse_wechat(_lines(EXPORT))
    got = [(c.sent_at, c.speaker, c.text, c.line) for c in parsed.chats]
    assert got == [
        (datetime(2024, 8, 1, 9, 30), "张先生", "垃圾又没人收\n你们看看\n照片在群里", 3),
        (datetime(2024, 8, 1, 9, 30), "李管家", "收到，马上处理。", 6),
        (datetime(2024, 8, 2, 10, 15), "业主", "好多了", 8),
        (datetime(2024, 8, 2, 10, 15), "客服", "感谢反馈", 9),
    ]
    assert parsed.problems == [
        (1, "整行", "以下为与“张先生”的聊天记录", "无法识别的行：既不是日期行，也不是“发言人：内容”")
    ]


def test_when_a_message_comes_before_any_date_then_it_is_reported_not_dropped():
    parsed = parse_wechat(_lines("张先生：你好\n2024-08-01\n张先生：在吗\n2024-02-30\n管家：在"))
    assert [c.text for c in parsed.chats] == ["在吗"]
    assert [(n, col) for n, col, _, _ in parsed.problems] == [(1, "日期"), (4, "日期"), (5, "日期")]


def test_when_identical_lines_repeat_on_a_day_then_they_get_distinct_stable_ids():
    text = "2024-08-01\n业主：好的\n管家：收到\n业主：好的"
    first, second = parse_wechat(_lines(text)), parse_wechat(_lines(text))
    ids = [c.ext_id for c in first.chats]
    assert len(set(ids)) == 3 and ids == [c.ext_id for c in second.chats]


def test_when_export_is_imported_then_owner_lines_are_recognised_and_reimport_appends_only(factory, sample, tmp_path):
    run(factory, sample("example.jsonl"), kind="bundle")
    path = tmp_path / "chat.txt"
    path.write_text(EXPORT, encoding="gbk")
    first = run(factory, path, kind="wechat", household="HO-TEST/1-101")
    assert first.counts == {"chats.inserted": 4} and first.changed_households == 1
    with open(first.error_report, encoding="utf-8-sig") as fh:
        assert [r["行号"] for r in csv.DictReader(fh)] == ["1"]
    with factory() as s:
        roles = s.execute(
            select(ChatMessage.speaker_name, ChatMessage.speaker_role).where(ChatMessage.ext_id.like("wx-%"))
        ).all()
    assert sorted(roles) == sorted([("张先生", "owner"), ("李管家", "steward"), ("业主", "owner"), ("客服", "service")])
    path.write_text(EXPORT + "张先生：下周再看看\n", encoding="gbk")
    again = run(factory, path, kind="wechat", household="HO-TEST/1-101")
    assert again.counts == {"chats.inserted": 1, "chats.unchanged": 4} and again.changed_households == 1


@pytest.mark.parametrize("household", [None, "HO-TEST/9-999", "no-slash"])
def test_when_household_is_missing_or_unknown_then_file_error(factory, sample, tmp_path, household):
    run(factory, sample("example.jsonl"), kind="bundle")
    path = tmp_path / "chat.txt"
    path.write_text(EXPORT, encoding="utf-8")
    with pytest.raises(ImportFileError):
        run(factory, path, kind="wechat", household=household)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2024-08-01", datetime(2024, 8, 1, 0, 0)),
        ("2024/8/1 09:30", datetime(2024, 8, 1, 9, 30)),
        ("2024年8月1日 09:30", datetime(2024, 8, 1, 9, 30)),
        ("— 2024年8月1日 星期四 —", datetime(2024, 8, 1, 0, 0)),
        ("2024.08.01 21:05:09", datetime(2024, 8, 1, 21, 5, 9)),
    ],
)
def test_when_date_header_is_written_any_common_way_then_messages_get_its_time(header, expected):
    parsed = parse_wechat(_lines(f"{header}\n王女士：你好"))
    assert [c.sent_at for c in parsed.chats] == [expected] and not parsed.problems


def test_when_export_is_attached_to_the_generated_pilot_then_its_owner_is_recognised(sqlite_url, tmp_path):
    from data.db.session import init_db, make_session_factory
    from data.generator.generate import generate
    from data.repositories.households import find_unit

    engine = init_db(sqlite_url)
    generate(engine, 3, seed=5)
    factory = make_session_factory(engine)
    with factory() as s:
        before = find_unit(s, "BJ-PILOT/4-1203").evidence_fingerprint
    path = tmp_path / "pilot.txt"
    path.write_text(
        "2024年8月20日 19:02\n王女士：整改方案我看了\n王丽：下周一起交\n李管家：好的，谢谢您\n", encoding="utf-8"
    )
    result = run(factory, path, kind="wechat", household="BJ-PILOT/4-1203")
    with factory() as s:
        unit = find_unit(s, "BJ-PILOT/4-1203")
        roles = s.execute(
            select(ChatMessage.speaker_name, ChatMessage.speaker_role).where(
                ChatMessage.unit_id == unit.id, ChatMessage.ext_id.like("wx-%")
            )
        ).all()
    engine.dispose()
    assert result.counts == {"chats.inserted": 3} and unit.evidence_fingerprint != before
    assert sorted(roles) == sorted([("王女士", "owner"), ("王丽", "owner"), ("李管家", "steward")])
