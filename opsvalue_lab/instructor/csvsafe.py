"""CSV that spreadsheets open safely: UTF-8 with BOM, csv-module quoting, formula injection defused.

Per OWASP (CSV injection): a cell beginning with = + - @ TAB (0x09) or CR (0x0D) — and their
full-width forms ＝ ＋ － ＠ — is prefixed with a single quote so no spreadsheet evaluates it.
Field separators, quotes and newlines inside a cell are handled by csv quoting (QUOTE_ALL).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..jsonfile import FileFormatError, atomic_write

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> str:
    """One cell as text that no spreadsheet will run as a formula."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(DANGEROUS_FIRST) else s


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write every cell neutralised, UTF-8 with BOM, all cells quoted; returns the path."""
    def chunks() -> Iterator[bytes]:  # encoded 500 rows at a time: the file is never whole in memory
        buf = io.StringIO(newline="")
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow([neutralise(h) for h in header])
        first = True
        for i, row in enumerate(rows, 1):
            w.writerow([neutralise(c) for c in row])
            if i % 500 == 0:
                yield buf.getvalue().encode("utf-8-sig" if first else "utf-8")
                first = False
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue().encode("utf-8-sig" if first else "utf-8")
    # atomic, with a normal file's permissions: a reader never sees half a CSV
    return atomic_write(path, chunks(), force=True, err=FileFormatError)
