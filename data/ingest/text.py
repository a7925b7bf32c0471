"""Read a text file (UTF-8, UTF-8 BOM, GBK/GB18030, UTF-16) line by line with the importer's encoding check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from data.importers.errors import ImportFileError
from data.importers.reader import SAMPLE_BYTES, detect_encoding


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without its newline).

    Raises:
        ImportFileError: The file is missing, empty, binary or in an unknown encoding (message in Chinese).
    """
    if not path.is_file():
        raise ImportFileError(f"文件不存在：{path}")
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
    if not head.strip():
        raise ImportFileError("文件为空")
    encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
    with path.open(encoding=encoding, errors="replace", newline=None) as stream:
        for number, line in enumerate(stream, start=1):
            yield number, line.rstrip("\n").lstrip("\ufeff") if number == 1 else line.rstrip("\n")
