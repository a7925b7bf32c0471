"""`steward redact` through CliRunner, and an analyzer that is offline and ours only."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from core.redaction.engine import build_analyzer
from core.redaction.recognizers import RECOGNIZER_CLASSES

runner = CliRunner()


def test_when_redact_is_run_then_placeholders_are_printed():
    result = runner.invoke(
        app,
        ["redact", "王女士电话13800138000，住4号楼1203", "--owner", "王丽", "--unit", "4号楼1203"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "【业主】电话【手机号1】，住【本户】"


def test_when_redact_json_then_types_and_spans_without_raw_values():
    result = runner.invoke(app, ["redact", "李先生电话13800138000", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["text"] == "【人员1】电话【手机号1】"
    assert [(e["entity_type"], e["start"], e["end"]) for e in payload["entities"]] == [
        ("PERSON", 0, 3),
        ("CN_MOBILE", 5, 16),
    ]
    assert "13800138000" not in result.output and "李先生" not in result.output


def test_when_analyzer_is_built_without_network_then_it_works_with_only_our_recognizers(
    monkeypatch,
):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    analyzer = build_analyzer()
    names = {r.name for r in analyzer.registry.recognizers}
    assert names == {cls.__name__ for cls in RECOGNIZER_CLASSES}
    results = analyzer.analyze("邮箱 wangli@163.com", language="zh")
    assert [r.entity_type for r in results] == ["EMAIL_ADDRESS"]


def test_when_unsupported_language_is_requested_then_analyzer_refuses():
    with pytest.raises(ValueError):
        build_analyzer().analyze("hello", language="en")
