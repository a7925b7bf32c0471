"""Read a text file (UTF-8, UTF-8 BOM, GBK/GB18030, UTF-16) line by line with the importer's encoding check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from data.importers.reader import SAMPLE_BYTES, detect_encoding, read_head


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without its newline).

    Raises:
        ImportFileError: The file is missing, empty, binary or in an unknown encoding (message in Chinese).
    """
    head = read_head(path)
    encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
    with path.open(encoding=encoding, errors="replace", newline=None) as stream:
        for number, line in enumerate(stream, start=1):
            yield number, line.rstrip("\n").lstrip("\ufeff") if number == 1 else line.rstrip("\n")
