"""Refusing spreadsheet bombs before openpyxl reads them. Pure Python, no Django.

An .xlsx is a zip of XML parts. openpyxl, even read-only, loads the whole shared-string
table into memory and parses every part it opens to the end, so a 128 KB file holding 2 M
short shared strings (or one part that inflates to gigabytes) keeps a worker busy for a
minute and costs a gigabyte. `check` looks only at the zip's central directory and streams
the shared-string part counting its `<si>` elements (nothing is kept), and raises XlsxRefused
with a Chinese reason when a limit is passed.

The declared sizes in the central directory can be trusted as upper bounds: Python's zipfile
never returns more bytes for an entry than its declared uncompressed size.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
MAX_ENTRIES = 10_000
MAX_SHEET_BYTES = 1024 * MiB  # one worksheet, uncompressed (a 1 M-row roster is ~300 MB)
MAX_PART_BYTES = 64 * MiB  # any other part (styles, workbook, shared strings are counted)
MAX_TOTAL_BYTES = 2048 * MiB
MAX_RATIO = 100  # real sheets compress 5-30 times; deflate bombs about 1000 times
RATIO_FROM = 8 * MiB  # small parts may compress better without harm
MAX_SHARED_STRINGS = 8_000_000
# Each shared string a sheet really uses costs at least one cell referencing it,
# <c r="A1" t="s"><v>0</v></c>: 25 bytes and more. A table larger than the sheets could
# reference is padding.
MIN_CELL_BYTES = 20
SHARED_STRINGS_SLACK = 10_000

_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?si[\s/>]")
_SI_LONGEST = 40  # longest possible match of _SI
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")


class XlsxRefused(ValueError):
    """The file is refused before parsing; the message is the Chinese reason for the user."""


@dataclass(frozen=True)
class XlsxFacts:
    """What the check learnt on the way: only for progress estimates, never for decisions."""

    claimed_rows: int  # the first sheet's <dimension>, as the file claims it (0 if absent)


def check(path: str | Path) -> XlsxFacts:
    """Raise XlsxRefused if the file is not a zip or would inflate beyond the limits."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_sizes(infos)
            sheets = [i for i in infos if _is_sheet(i.filename)]
            shared = [i for i in infos if i.filename.lower().endswith("sharedstrings.xml")]
            sheet_bytes = sum(i.file_size for i in sheets)
            limit = min(MAX_SHARED_STRINGS, sheet_bytes // MIN_CELL_BYTES + SHARED_STRINGS_SLACK)
            for info in shared:
                _check_shared_strings(zf, info, limit)
            return XlsxFacts(_claimed_rows(zf, sheets))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        if isinstance(e, XlsxRefused):
            raise
        raise XlsxRefused(
            "无法读取 Excel 文件，请确认是 .xlsx 格式（Excel 2007 及以后版本）"
        ) from e


def _is_sheet(name: str) -> bool:
    name = name.lower()
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise XlsxRefused(f"Excel 文件包含的部件过多（{len(infos)} 个），已拒绝读取")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        cap = MAX_SHEET_BYTES if _is_sheet(info.filename) else MAX_PART_BYTES
        if size > cap:
            raise XlsxRefused(
                f"Excel 文件中的“{info.filename}”解压后达 {_mib(size)}，"
                f"超过上限 {_mib(cap)}，已拒绝读取；请拆分文件或另存为 CSV"
            )
        if size > RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            raise XlsxRefused(
                f"Excel 文件中的“{info.filename}”压缩比异常（解压后 {_mib(size)}，"
                f"压缩后仅 {_mib(info.compress_size)}），疑似恶意文件，已拒绝读取"
            )
    if total > MAX_TOTAL_BYTES:
        raise XlsxRefused(
            f"Excel 文件解压后共 {_mib(total)}，超过上限 {_mib(MAX_TOTAL_BYTES)}，"
            "已拒绝读取；请拆分文件或另存为 CSV"
        )


def _check_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> None:
    """Count <si> elements as the part streams by; stop at the first one over the limit."""
    count = 0
    tail = b""
    with zf.open(info) as part:
        while block := part.read(MiB):
            buf = tail + block
            # Matches never contain a second "<": cut before the last one so that no match
            # straddles two blocks, unless it is too far back to start one.
            cut = buf.rfind(b"<")
            if cut < 0 or len(buf) - cut > _SI_LONGEST:
                cut = len(buf)
            count += len(_SI.findall(buf, 0, cut))
            tail = buf[cut:]
            if count > limit:
                raise XlsxRefused(
                    f"Excel 文件的共享字符串超过 {limit} 个，与表格内容不相称，"
                    "疑似恶意文件，已拒绝读取"
                )
    count += len(_SI.findall(tail))
    if count > limit:
        raise XlsxRefused(
            f"Excel 文件的共享字符串超过 {limit} 个，与表格内容不相称，疑似恶意文件，已拒绝读取"
        )


def _claimed_rows(zf: zipfile.ZipFile, sheets: list[zipfile.ZipInfo]) -> int:
    if not sheets:
        return 0
    first = min(sheets, key=lambda i: (len(i.filename), i.filename))
    with zf.open(first) as part:
        match = _DIMENSION.search(part.read(4096))
    return int(match.group(1)) if match else 0


def _mib(size: int) -> str:
    return f"{size / MiB:.0f} MB" if size >= MiB else f"{size / 1024:.0f} KB"
