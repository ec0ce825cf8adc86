"""File downloads. Every export is written to an anonymous temporary file and then streamed: a
list of a million rows never sits in memory, and nothing stays on disk (FileResponse closes the
file, which deletes it)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone

from .tabular import Column, write_table

# A table described by its columns: (header, getter of the cell from a row object).
Spec = Sequence[tuple[str, Callable[[Any], Any]]]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def stamped(title: str, fmt: str) -> str:
    """检查对象名录-20261123-1805.xlsx: the title, the local time to the minute, the format."""
    return f"{title}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def file_download(write: Callable[[IO[bytes]], Any], filename: str) -> FileResponse:
    """`write` fills the file; its type follows the file name's extension."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it
    write(tmp)
    tmp.seek(0)
    content_type = CONTENT_TYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream")
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=content_type)


def table_download(
    columns: Sequence[Column], records: Iterable[Sequence[Any]], fmt: str, filename: str
) -> FileResponse:
    """A csv/xlsx table through core.tabular (formula neutralisation, UTF-8 with BOM)."""
    return file_download(lambda f: write_table(f, columns, records, fmt), filename)


def spec_download(rows: Iterable[Any], spec: Spec, fmt: str, title: str) -> FileResponse:
    """A table of `rows` (objects) in the columns of `spec`, named after `title` and the time."""
    columns = [Column(header, header) for header, _get in spec]
    getters = [get for _header, get in spec]
    records = ([get(row) for get in getters] for row in rows)
    return table_download(columns, records, fmt, stamped(title, fmt))
