"""Hostile .xlsx files for the import tests, built byte by byte (a few hundred KB each)."""

from __future__ import annotations

import base64
import os
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

MiB = 1 << 20


def real_xlsx(path: Path, headers: list[str], rows: list[list] = ()) -> Path:
    """A genuine workbook (openpyxl keeps its strings in the shared-string table)."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _rewrite(path: Path, out: Path, replace: dict[str, object], add: dict | None = None) -> Path:
    """Copy the zip, writing `replace[name]` (bytes, or an iterable of byte blocks) instead,
    and the parts in `add` after the others."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = [i.filename for i in src.infolist()]
        for name in names + list(add or {}):
            body = replace.get(name, (add or {}).get(name))
            if body is None:
                dst.writestr(name, src.read(name))
                continue
            with dst.open(name, "w", force_zip64=True) as part:
                for block in [body] if isinstance(body, bytes) else body:
                    part.write(block)
    return out


def shared_strings_bomb(path: Path, headers: list[str], count: int = 2_000_000) -> Path:
    """The headers' workbook with a shared-string table of `count` one-letter strings, padded
    with random text in an XML comment so that the part compresses about 90 times (below the
    ratio limit): only counting the strings can catch it. openpyxl loads such a table whole."""
    base = real_xlsx(path.with_suffix(".base.xlsx"), headers)
    with zipfile.ZipFile(base) as z:
        types = z.read("[Content_Types].xml")
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    head = b'<sst xmlns="%s" count="%d" uniqueCount="%d">' % (SPREADSHEET_NS, count, count)
    filler = b"<si><t>a</t></si>" * count
    pad = base64.b64encode(os.urandom(len(filler) // 90 * 3 // 4))
    sst = head + filler + b"<!--" + pad + b"--></sst>"
    _rewrite(base, path, {"[Content_Types].xml": types}, {"xl/sharedStrings.xml": sst})
    base.unlink()
    return path


SPREADSHEET_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def huge_sheet_bomb(path: Path, headers: list[str], size: int = 300 * MiB) -> Path:
    """The headers' workbook whose first sheet inflates to `size` bytes (whitespace between
    rows, compressing about 1000 times)."""
    base = real_xlsx(path.with_suffix(".base.xlsx"), headers)
    with zipfile.ZipFile(base) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    head, _, tail = sheet.partition(b"</sheetData>")

    def blocks():
        yield head
        block = b" " * MiB
        for _ in range(size // MiB):
            yield block
        yield b"</sheetData>" + tail

    _rewrite(base, path, {"xl/worksheets/sheet1.xml": blocks()})
    base.unlink()
    return path


def claiming_dimension(path: Path, headers: list[str], rows: list[list], ref: str) -> Path:
    """A genuine workbook whose first sheet's <dimension> claims `ref` (e.g. A1:M500000)."""
    base = real_xlsx(path.with_suffix(".base.xlsx"), headers, rows)
    with zipfile.ZipFile(base) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    sheet, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="%s"' % ref.encode(), sheet)
    assert n == 1
    _rewrite(base, path, {"xl/worksheets/sheet1.xml": sheet})
    base.unlink()
    return path
