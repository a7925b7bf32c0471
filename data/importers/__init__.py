"""Import billing-system exports (CSV in UTF-8/GBK, .xlsx) with row-level error reports."""

from data.importers.columns import KIND_NAMES, KINDS
from data.importers.errors import ImportFileError, RowError
from data.importers.runner import ImportResult, import_file

__all__ = ["KINDS", "KIND_NAMES", "ImportFileError", "ImportResult", "RowError", "import_file"]
