"""CSV cells that a spreadsheet will not run as formulas.

Excel, LibreOffice and Sheets treat a cell that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return as a formula (OWASP "CSV injection"). Every CSV the
app writes goes through `SafeDictWriter`, which puts a `'` in front of such a
cell; `csv_unescape` takes it off again when the app reads its own export back.
A plain number such as a negative coordinate is left alone.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_escape(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _NUMBER.match(value):
        return value
    return "'" + value


def csv_unescape(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose cells are escaped against formula injection.

    Every cell is quoted: Python's writer leaves a carriage return unquoted when
    the line ends in "\n", and a spreadsheet would start a new row there.
    """

    def __init__(self, f: Any, fieldnames: Any, *args: Any, **kwargs: Any) -> None:
        self._header_writer = csv.writer(f, lineterminator=kwargs.get("lineterminator", "\r\n"))
        kwargs.setdefault("quoting", csv.QUOTE_ALL)
        super().__init__(f, fieldnames, *args, **kwargs)

    def writeheader(self) -> Any:
        # Column names are ours, not data: they stay unquoted, as readers expect.
        return self._header_writer.writerow(self.fieldnames)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: csv_escape(value) for key, value in rowdict.items()})
