"""Personal data in the project's log records is redacted when the record is made, with the same analyser."""

from __future__ import annotations

import logging

import pytest

from core.redaction import logfilter


@pytest.fixture
def installed():
    logfilter.install()
    yield
    logfilter.uninstall()


def test_when_a_project_logger_writes_names_and_numbers_then_the_record_holds_placeholders(installed, caplog):
    log = logging.getLogger("app.services.casework")
    with caplog.at_level(logging.INFO, logger="app"):
        log.info("owner said: %s", "我老公张建国电话13912345678，住在金地名都5栋302")
    message = caplog.records[-1].getMessage()
    assert "张建国" not in message
    assert "13912345678" not in message
    assert "5栋302" not in message
    assert "【手机号】" in message and "【人员】" in message
    assert message.startswith("owner said: ")


def test_when_a_library_logger_writes_then_its_record_is_left_alone(installed, caplog):
    with caplog.at_level(logging.INFO, logger="somelib"):
        logging.getLogger("somelib").info("张建国 %s", "13912345678")
    assert caplog.records[-1].getMessage() == "张建国 13912345678"


def test_when_the_message_cannot_be_formatted_then_the_record_is_hidden_not_raised(installed, caplog):
    with caplog.at_level(logging.INFO, logger="agent"):
        logging.getLogger("agent.nodes").info("two args %s %s", "only one")
    assert caplog.records[-1].getMessage() == "[日志内容因脱敏失败已隐藏]"


def test_when_installed_twice_then_records_are_redacted_once(caplog):
    logfilter.install()
    logfilter.install()
    try:
        with caplog.at_level(logging.INFO, logger="core"):
            logging.getLogger("core.x").info("电话 13912345678")
        assert caplog.records[-1].getMessage() == "电话 【手机号】"
    finally:
        logfilter.uninstall()
    assert logging.getLogRecordFactory() is logging.LogRecord
