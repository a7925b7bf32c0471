"""Stream rows out of a CSV (UTF-8/UTF-8 BOM/GBK/GB18030/UTF-16) or .xlsx file, header row first."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from data.importers.columns import header_score
from data.importers.errors import ImportFileError

SAMPLE_BYTES = 1 << 16
MAX_FIELD_CHARS = 1 << 20  # a larger cell makes its row unreadable instead of exhausting memory
HEADER_SCAN_ROWS = 10
ENCODING_NAMES = {"utf-8-sig": "UTF-8（带 BOM）", "utf-8": "UTF-8", "gb18030": "GBK/GB18030", "utf-16": "UTF-16"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")

Row = list[object] | None  # None: the row could not be parsed at all


@dataclass
class Table:
    """An opened table: where its header is and an iterator over the data rows.

    Attributes:
        source: Human-readable format and encoding, e.g. "CSV UTF-8".
        header_row: Row number of the header (1-based).
        headers: The header cells.
        rows: Iterator of (row number, cells or None for an unparseable row), data rows only.
    """

    source: str
    header_row: int
    headers: list[object]
    rows: Iterator[tuple[int, Row]]
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    def close(self) -> None:
        """Release the underlying file."""
        self._stack.close()


def read_head(path: Path) -> bytes:
    """The first SAMPLE_BYTES of a file; ImportFileError (Chinese) when it is missing or empty."""
    if not path.is_file():
        raise ImportFileError(f"文件不存在：{path}")
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
    if not head.strip():
        raise ImportFileError("文件为空")
    return head


def detect_encoding(head: bytes, *, complete: bool) -> str:
    """Pick the text encoding from the first bytes of a file.

    Args:
        head: Up to SAMPLE_BYTES bytes from the start of the file.
        complete: Whether ``head`` is the whole file (a cut multi-byte character is then an error).

    Raises:
        ImportFileError: Binary content or an encoding that is neither UTF-8 nor GB18030.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ImportFileError("不是文本表格文件：内容含二进制数据")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text)) > max(3, len(text) // 100):
            raise ImportFileError("不是文本表格文件：内容含大量控制字符")
        return encoding
    raise ImportFileError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, Row]]:
    number = 0
    while True:
        number += 1
        try:
            yield number, list(next(reader))
        except StopIteration:
            return
        except csv.Error:
            yield number, None


def _open_csv(path: Path, head: bytes, stack: ExitStack) -> tuple[str, Iterator[tuple[int, Row]]]:
    encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
    stream = stack.enter_context(path.open(encoding=encoding, errors="replace", newline=""))
    first_line = stream.readline(SAMPLE_BYTES)
    stream.seek(0)
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(stream, delimiter=_delimiter(first_line))
    return f"CSV {ENCODING_NAMES[encoding]}", _csv_rows(reader)


def _open_xlsx(path: Path, stack: ExitStack) -> tuple[str, Iterator[tuple[int, Row]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"无法读取 Excel 文件（文件损坏或不是 .xlsx）：{type(exc).__name__}") from exc
    stack.callback(book.close)
    if not book.worksheets:
        raise ImportFileError("Excel 文件中没有工作表")
    sheet = book.worksheets[0]
    rows = ((n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1))
    return "Excel .xlsx", rows


def _find_header(rows: Iterator[tuple[int, Row]]) -> tuple[int, list[object]]:
    for scanned, (number, cells) in enumerate(rows):
        if scanned >= HEADER_SCAN_ROWS:
            break
        if cells and header_score(cells) >= 2:
            return number, cells
    raise ImportFileError(f"未找到表头：前 {HEADER_SCAN_ROWS} 行中没有可识别的列名，这不像是账单系统导出的表格")


def open_table(path: Path) -> Table:
    """Open ``path`` as a table positioned after its header row.

    Raises:
        ImportFileError: Missing/empty file, old .xls, unreadable workbook, unknown encoding, no header row.
    """
    head = read_head(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）")
    stack = ExitStack()
    try:
        if head.startswith(b"PK\x03\x04"):
            source, rows = _open_xlsx(path, stack)
        else:
            source, rows = _open_csv(path, head, stack)
        header_row, headers = _find_header(rows)
    except BaseException:
        stack.close()
        raise
    return Table(source, header_row, headers, rows, stack)
