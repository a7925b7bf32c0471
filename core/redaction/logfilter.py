"""Personal data never reaches a log: records of the project's loggers are redacted when made.

The same analyser as the redactor and the model boundary (``find_raw_pii``) runs over the
formatted message of every record whose logger belongs to the project; a finding is replaced
by its type's placeholder (【手机号】, 【人员】 …) and the record keeps no arguments. Records of
other libraries pass unchanged (the access log has its own token filter).
"""

from __future__ import annotations

import logging
import threading

from core.redaction import entities as ent

PROJECT_LOGGERS = ("app", "agent", "core", "tools", "data", "knowledge_base", "prompts", "evals", "steward")
_installed = threading.Lock()
_state: dict[str, object] = {}
_busy = threading.local()


def redact_message(message: str) -> str:
    """``message`` with every PII finding replaced by its type's placeholder."""
    from core.redaction.findings import find_raw_pii

    if not message or message.isascii() and not any(ch.isdigit() or ch == "@" for ch in message):
        return message
    out, last = [], 0
    for finding in find_raw_pii(message):
        if finding.start < last:
            continue
        out.append(message[last : finding.start])
        label = ent.PLACEHOLDER_LABELS.get(finding.entity_type, ent.PLACEHOLDER_LABELS[ent.KNOWN_VALUE])
        out.append(f"【{label}】")
        last = finding.end
    out.append(message[last:])
    return "".join(out)


def _is_project(name: str) -> bool:
    return name.split(".", 1)[0] in PROJECT_LOGGERS


def install() -> None:
    """Wrap the log record factory once per process so project records are redacted when made."""
    with _installed:
        if "previous" in _state:
            return
        previous = logging.getLogRecordFactory()
        _state["previous"] = previous

        def factory(*args, **kwargs) -> logging.LogRecord:  # noqa: ANN002, ANN003
            record = previous(*args, **kwargs)
            if not _is_project(record.name) or getattr(_busy, "on", False):
                return record
            _busy.on = True  # the analyser may log; never redact its own records
            try:
                record.msg = redact_message(record.getMessage())
                record.args = None
            except Exception:  # noqa: BLE001 - a log line must never break the caller
                record.msg, record.args = "[日志内容因脱敏失败已隐藏]", None
            finally:
                _busy.on = False
            return record

        logging.setLogRecordFactory(factory)


def uninstall() -> None:
    """Restore the record factory in place before ``install`` (tests)."""
    with _installed:
        previous = _state.pop("previous", None)
        if previous is not None:
            logging.setLogRecordFactory(previous)
