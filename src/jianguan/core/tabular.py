"""Reading and writing tables (csv, xlsx) for bulk import and export.

A list of Column specs drives both directions, so an exported file imports back unchanged.
Reading is chunked and column-oriented: an import of a million rows validates whole columns
at a time instead of building a dict per row.

Security: formulas are never evaluated. The one rule for formula-like text (docs/security.md):
data is kept as entered (pages escape it, JSON returns it as it is), and every way out to a
spreadsheet — each csv/xlsx export, the interchange file, error reports — goes through
`write_table`, which prefixes every text cell that a spreadsheet could take for a formula
(= + - @, tab, CR) with a single quote and writes it as a text cell; import strips that quote
again, so an export imports back unchanged. A cell that starts with "=" is rejected on import
(an xlsx formula cell reads as its formula text, which we never evaluate).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import decimal
import hashlib
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

FORMATS = (".csv", ".xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_REPORTED_ERRORS = 100_000

Parser = Callable[[str], Any]
Errors = list[tuple[int, str]]  # (index within the column, reason)


class ParseError(ValueError):
    """A cell value that does not parse; the message is the Chinese reason."""


def _text(value: str) -> str:
    return value


def _cell(value: Any) -> Any:
    return "" if value is None else value


@dataclass(frozen=True)
class Column:
    """One column of a file: its Chinese header, the field it maps to, how to parse and format.

    `parse` turns one stripped cell text into a value or raises ParseError; `parse_many`, when
    given, does the same for a whole column at once (used where a million calls would be slow).
    `format` turns a field value into the exported cell value.
    """

    header: str
    field: str
    required: bool = False
    parse: Parser = _text
    format: Callable[[Any], Any] = _cell
    parse_many: Callable[[list[str]], tuple[list[Any], Errors]] | None = None

    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _failed: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def parse_column(self, values: list[str]) -> tuple[list[Any], Errors]:
        if self.parse_many is not None:
            return self.parse_many(values)
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
            self._failed.clear()
        return map_cached(self.parse, values, self._memo, self._failed)


MEMO_LIMIT = 200_000


def map_cached(
    parse: Parser,
    values: list[str],
    memo: dict[str, Any] | None = None,
    failed: dict[str, str] | None = None,
) -> tuple[list[Any], Errors]:
    """Apply a scalar parser to a column, once per distinct value (columns repeat a lot);
    `memo` and `failed` carry what is known from chunk to chunk."""
    memo = {} if memo is None else memo
    failed = {} if failed is None else failed
    try:
        return list(map(memo.__getitem__, values)), []  # every value seen before
    except KeyError:
        pass
    for v in set(values) - memo.keys() - failed.keys():
        try:
            memo[v] = parse(v)
        except ParseError as e:
            failed[v] = str(e)
    out = [memo.get(v) for v in values]
    return out, [(i, failed[v]) for i, v in enumerate(values) if v in failed]


@dataclass(frozen=True)
class RowError:
    """One problem, where the user will find it: row as numbered in the file (header = 1)."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("第%(row)d行") % {"row": self.row}
        if self.column:
            where += _("，列“%(col)s”") % {"col": self.column}
        return f"{where}：{self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportResult:
    """The outcome of an import: counts, errors (capped), whether anything was written."""

    file_name: str = ""
    sha256: str = ""
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)
    committed: bool = False
    truncated: bool = False

    @property
    def skipped(self) -> int:
        return len(self.error_rows) if self.committed else 0

    @property
    def ok(self) -> bool:
        return self.committed and not self.errors

    def add_errors(self, errors: Iterable[RowError]) -> None:
        for e in errors:
            self.error_rows.add(e.row)
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(e)
            else:
                self.truncated = True

    def discard(self) -> None:
        """Nothing was written after all (rolled back)."""
        self.created = self.updated = self.unchanged = 0

    def counts(self) -> dict[str, int]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "error_count": len(self.error_rows),
        }

    def as_dict(self, first_errors: int = 20) -> dict[str, Any]:
        return {
            **self.counts(),
            "file": self.file_name,
            "sha256": self.sha256,
            "committed": self.committed,
            "first_errors": [e.as_dict() for e in self.errors[:first_errors]],
        }

    def summary(self) -> str:
        if not self.committed:
            return _("导入未执行：%(n)d 行有错误，数据库未作任何修改") % {"n": len(self.error_rows)}
        return (
            _(
                "导入完成：新增 %(created)d 条，更新 %(updated)d 条，未变化 %(unchanged)d 条，"
                "跳过 %(skipped)d 行"
            )
            % self.counts()
        )


class TableError(Exception):
    """The file as a whole cannot be read (format, encoding, headers)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Chunk:
    """Consecutive data rows, column by column."""

    rows: list[int]  # row numbers as the user sees them
    cells: dict[str, list[str]]  # field -> stripped cell texts, one per row
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (index, header, reason)
    plain: bool = False  # the cells needed no cleaning (see _plain)

    def __len__(self) -> int:
        return len(self.rows)


def file_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(
            [
                RowError(
                    0,
                    "",
                    _(
                        "不支持的文件类型“%(ext)s”，请使用 .csv 或 .xlsx（Excel 2007 及以后版本）文件"
                    )
                    % {"ext": suffix or _("无扩展名")},
                )
            ]
        )
    return suffix


# ---------------------------------------------------------------------------------------------
# Reading


def normalise_header(text: Any) -> str:
    s = "".join(str(text or "").split())
    return s.replace("(", "（").replace(")", "）").rstrip("*")


def match_headers(raw: Sequence[Any], columns: Sequence[Column]) -> list[tuple[int, Column]]:
    """Map file column positions to specs; raise TableError naming every header problem."""
    by_header = {c.header: c for c in columns}
    headers = [normalise_header(h) for h in raw]
    errors: list[RowError] = []
    seen: dict[str, list[int]] = {}
    for pos, h in enumerate(headers):
        if h:
            seen.setdefault(h, []).append(pos + 1)
    if not seen:
        raise TableError([RowError(1, "", _("文件为空或第1行没有表头"))])
    for h, positions in seen.items():
        if len(positions) > 1:
            errors.append(
                RowError(
                    1,
                    h,
                    _("表头“%(h)s”重复出现（第%(pos)s列）")
                    % {"h": h, "pos": "、".join(map(str, positions))},
                )
            )
    unknown = [h for h in seen if h not in by_header]
    if unknown:
        errors.append(
            RowError(
                1,
                "",
                _("无法识别的列：%(cols)s。可用的列：%(known)s")
                % {"cols": "、".join(unknown), "known": "、".join(by_header)},
            )
        )
    missing = [c.header for c in columns if c.required and c.header not in seen]
    if missing:
        errors.append(RowError(1, "", _("缺少必填列：%(cols)s") % {"cols": "、".join(missing)}))
    if errors:
        raise TableError(errors)
    return [(pos, by_header[h]) for pos, h in enumerate(headers) if h]


class TableReader:
    """Iterate a csv/xlsx file in chunks of columns. Use as a context manager."""

    def __init__(self, path: str | Path, columns: Sequence[Column]):
        self.path = Path(path)
        self.format = file_format(self.path)
        self._spec = list(columns)
        self._close: list[Callable[[], None]] = []
        try:
            self._source = (
                _CsvSource(self.path) if self.format == ".csv" else _XlsxSource(self.path)
            )
            self._close.append(self._source.close)
            header = self._source.header()
            if header is None:
                raise TableError([RowError(1, "", _("文件为空"))])
            self.positions = match_headers(header, self._spec)
        except BaseException:
            self.close()
            raise
        self.width = len(header)
        # What the file claims (xlsx <dimension>): for progress bars only, never for decisions.
        self.claimed_rows: int = getattr(self._source, "claimed_rows", 0)
        self.columns = [c for _, c in self.positions]
        self.fields = {c.field for c in self.columns}

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for close in self._close:
            close()
        self._close = []

    def chunks(self, size: int = 50_000) -> Iterator[Chunk]:
        """Chunks of about `size` rows (csv: about as many bytes as `size` typical rows)."""
        first = 2
        for batch in self._source.batches(size, self.width):
            chunk = self._chunk(batch, first)
            first += batch.count
            if len(chunk):
                yield chunk

    def _chunk(self, batch: Batch, first: int) -> Chunk:
        if batch.columns is not None:
            cols, numbers, extra = batch.columns, list(range(first, first + batch.count)), []
        else:
            cols, numbers, extra = _transpose(batch.rows or [], self.width, first)
        chunk = Chunk(rows=numbers, cells={}, plain=batch.plain)
        for pos, col in self.positions:
            values, errors = clean_column(cols[pos], batch.plain)
            chunk.cells[col.field] = values
            chunk.errors.extend((i, col.header, reason) for i, reason in errors)
        if extra:
            index = {n: i for i, n in enumerate(numbers)}
            chunk.errors.extend((index[n], "", r) for n, r in extra if n in index)
        return chunk


@dataclass
class Batch:
    """Consecutive lines of a file: as columns (fast path) or as rows; `count` includes blank
    lines (they keep their numbers); `plain`: nothing in it needs cleaning (see _plain)."""

    count: int
    columns: list[list[str]] | None = None
    rows: list[list[Any]] | None = None
    plain: bool = False


def _transpose(
    rows: list[list[Any]], width: int, first: int
) -> tuple[list[list[str]], list[int], list[tuple[int, str]]]:
    """Rows to columns: short rows padded, blank rows dropped, surplus data flagged."""
    numbers: Sequence[int] = range(first, first + len(rows))
    extra: list[tuple[int, str]] = []
    if not rows:
        return [[] for _ in range(width)], [], []
    if len(rows[0]) != width or len(set(map(len, rows))) != 1:
        rows, extra = _fit_rows(rows, width, first)
    if [""] * width in rows:
        keep = [i for i, r in enumerate(rows) if any(r)]
        rows = [rows[i] for i in keep]
        numbers = [numbers[i] for i in keep]
    cols = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
    return cols, list(numbers), extra


class _CsvSource:
    """csv rows in batches. A block of lines without any double quote is split directly
    (exactly what the csv module would do with it, several times faster); from the first
    block with a quote on, the csv module reads the rest.

    Blocks are read as bytes and cut after a newline byte, which in UTF-8 and in GB18030 is
    never part of a multi-byte character, then decoded in one call."""

    BYTES_PER_ROW = 200

    def __init__(self, path: Path):
        self._raw = path.open("rb")
        head = self._raw.read(1 << 16)
        self._encoding = detect_encoding(head)
        self._raw.seek(3 if self._encoding == "utf-8-sig" else 0)
        self._encoding = self._encoding.removesuffix("-sig")
        self._rest = b""

    def close(self) -> None:
        self._raw.close()

    def header(self) -> list[str] | None:
        with _csv_errors():
            line = self._raw.readline().decode(self._encoding)
        if not line.strip():
            return None
        if '"' in line:
            return next(csv.reader([line]))
        return line.rstrip("\r\n").split(",")

    def batches(self, size: int, width: int) -> Iterator[Batch]:
        with _csv_errors():
            while (block := self._block(size * self.BYTES_PER_ROW)) is not None:
                if "\r" in block:
                    block = block.replace("\r\n", "\n")
                if '"' in block or "\r" in block:
                    yield from self._csv_module(block, size)
                    return
                yield _split_block(block, width)

    def _csv_module(self, block: str, size: int) -> Iterator[Batch]:
        # The bytes after the block's last newline may stop inside a character: complete the
        # line from the file before decoding it.
        tail = (self._rest + self._raw.readline()).decode(self._encoding) if self._rest else ""
        rest = io.TextIOWrapper(self._raw, encoding=self._encoding, newline="")
        pending = io.StringIO(block + "\n" + tail, newline="")
        reader = csv.reader(itertools.chain(pending, rest))
        while rows := list(islice(reader, size)):
            yield Batch(len(rows), rows=rows)

    def _block(self, size: int) -> str | None:
        """Whole lines, about `size` bytes, decoded, without the last newline; None at the end."""
        data = self._rest + self._raw.read(size)
        if not data:
            return None
        cut = data.rfind(b"\n")
        if cut < 0:  # one long line, or the last one
            data += self._raw.readline()
            cut = data.rfind(b"\n")
            cut = len(data) if cut < 0 else cut
        self._rest = data[cut + 1 :]
        return data[:cut].decode(self._encoding)


class _XlsxSource:
    def __init__(self, path: Path):
        import zipfile

        from openpyxl import load_workbook

        from .xlsx_guard import XlsxRefused, check

        try:
            facts = check(path)  # before openpyxl inflates anything: bombs end here
        except XlsxRefused as e:
            raise TableError([RowError(0, "", str(e))]) from e
        try:
            # data_only=False: a formula comes back as its text and is rejected, never evaluated.
            self._wb = load_workbook(path, read_only=True, data_only=False)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
            raise TableError(
                [
                    RowError(
                        0,
                        "",
                        _("无法读取 Excel 文件（%(e)s），请确认是 .xlsx 格式")
                        % {"e": type(e).__name__},
                    )
                ]
            ) from e
        self._rows = self._wb.worksheets[0].iter_rows(values_only=True)
        self.claimed_rows = max(facts.claimed_rows - 1, 0)  # data rows, header excluded

    def close(self) -> None:
        self._wb.close()

    def header(self) -> list[Any] | None:
        return list(next(self._rows, None) or []) or None

    def batches(self, size: int, width: int) -> Iterator[Batch]:
        while rows := list(islice(self._rows, size)):
            yield Batch(len(rows), rows=[[_xlsx_text(v) for v in r] for r in rows])


@contextlib.contextmanager
def _csv_errors() -> Iterator[None]:
    try:
        yield
    except UnicodeDecodeError as e:
        raise TableError(
            [RowError(0, "", _("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件"))]
        ) from e
    except csv.Error as e:
        raise TableError([RowError(0, "", _("CSV 格式错误：%(e)s") % {"e": e})]) from e


def _split_block(block: str, width: int) -> Batch:
    """Lines without quotes: one split gives every cell, and when each line has `width`
    cells the columns are strided slices of it (no per-row lists at all). A NUL marks each
    line start so that a line with a missing or extra comma cannot go unnoticed."""
    flat = block.replace("\n", "")
    plain = _plain(flat)
    lines = block.count("\n") + 1
    if "\x00" not in block and "\x01" not in block:
        cells = block.replace("\n", ",\x00").split(",")
        if len(cells) == lines * width:
            first = cells[0::width]
            # Each cell holds at most one marker, so lines-1 markers in the first column means
            # every line starts there.
            if "".join(first).count("\x00") == lines - 1:
                first = "\x01".join(first).replace("\x01\x00", "\x01").split("\x01")
                return Batch(
                    lines, columns=[first] + [cells[j::width] for j in range(1, width)], plain=plain
                )
    return Batch(lines, rows=[line.split(",") for line in block.split("\n")], plain=plain)


def _plain(text: str) -> bool:
    """Text that needs no cleaning: no spaces or other whitespace, no control characters,
    nothing that could be a formula or export quoting, no backslash (COPY escapes those)."""
    return (
        text.isprintable()
        and " " not in text
        and "=" not in text
        and "'" not in text
        and "\\" not in text
    )


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK and GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _fit_rows(
    batch: list[list[Any]], width: int, first: int
) -> tuple[list[list[Any]], list[tuple[int, str]]]:
    """Pad short rows; cut long ones, flagging those whose extra cells hold data."""
    fitted, errors = [], []
    for i, r in enumerate(batch):
        if len(r) < width:
            r = r + [""] * (width - len(r))
        elif len(r) > width:
            if any(str(v).strip() for v in r[width:] if v is not None):
                errors.append((first + i, _("该行的数据列多于表头")))
            r = r[:width]
        fitted.append(r)
    return fitted, errors


def _xlsx_text(value: Any) -> str:
    """An xlsx cell as the text a csv would hold (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float | decimal.Decimal):
        return format(decimal.Decimal(repr(value)) if isinstance(value, float) else value, "f")
    return str(value)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_column(values: list[str], plain: bool = False) -> tuple[list[str], Errors]:
    """Strip whitespace, undo export quoting, reject formulas and control characters.
    `plain` says the caller knows there is nothing to do (see _plain)."""
    if plain:
        return values, []
    values = [v.strip() for v in values]
    joined = "".join(values)
    errors: Errors = []
    if "=" in joined:
        msg = _("单元格以“=”开头，系统不执行公式；如确为文本，请在前面加单引号（'）")
        errors = [(i, msg) for i, v in enumerate(values) if v.startswith("=")]
    if "'" in joined:  # undo the quote export puts before = + - @
        values = [v[1:] if v[:1] == "'" and v[1:2] in FORMULA_PREFIXES else v for v in values]
    if not joined.isprintable() and _CONTROL.search(joined):
        msg = _("不能包含换行符、制表符或其他控制字符")
        errors += [(i, msg) for i, v in enumerate(values) if _CONTROL.search(v)]
    return values, errors


def parse_chunk(
    chunk: Chunk, columns: list[Column]
) -> tuple[dict[str, list[Any]], list[tuple[int, str, str]]]:
    """Every column of a chunk parsed: ({field: values}, errors as (index, header, reason)),
    the chunk's own reading errors first."""
    errors = list(chunk.errors)
    parsed: dict[str, list[Any]] = {}
    for col in columns:
        values = chunk.cells[col.field]
        if col.required:
            errors += [(i, col.header, r) for i, r in required_errors(values)]
        parsed[col.field], errs = col.parse_column(values)
        errors += [(i, col.header, r) for i, r in errs]
    return parsed, errors


def required_errors(values: list[str]) -> Errors:
    if "" not in values:
        return []
    return [(i, _("必填项为空")) for i, v in enumerate(values) if not v]


def length_errors(values: list[str], limit: int) -> Errors:
    if not values or max(map(len, values)) <= limit:
        return []
    msg = _("长度不能超过%(n)d个字符") % {"n": limit}
    return [(i, msg) for i, v in enumerate(values) if len(v) > limit]


# ---------------------------------------------------------------------------------------------
# Common scalar parsers

_DATE_SEP = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$")


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日 or YYYYMMDD; '' is None."""
    if not text:
        return None
    if len(text) == 8 and text.isdigit():
        y, m, d = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        match = _DATE_SEP.match(text)
        if not match:
            raise ParseError(
                _("日期格式应为 YYYY-MM-DD（如 2015-03-01），实际为“%(v)s”") % {"v": text}
            )
        y, m, d = (int(g) for g in match.groups())
    try:
        return dt.date(y, m, d)
    except ValueError as e:
        raise ParseError(_("日期“%(v)s”不存在") % {"v": text}) from e


def parse_yes_no(text: str) -> bool | None:
    if not text:
        return None
    value = {
        "是": True,
        "否": False,
        "Y": True,
        "N": False,
        "1": True,
        "0": False,
        "TRUE": True,
        "FALSE": False,
    }.get(text.upper())
    if value is None:
        raise ParseError(_("应填写“是”或“否”，实际为“%(v)s”") % {"v": text})
    return value


def split_list(text: str) -> list[str]:
    """'食品；药品' -> ['食品', '药品']: several values in a cell, by ； ; 、 , or ，."""
    for sep in ("；", "、", ",", "，"):
        text = text.replace(sep, ";")
    return [p.strip() for p in text.split(";") if p.strip()]


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def format_date(value: dt.date | None) -> Any:
    return value if value is not None else ""


def format_yes_no(value: bool) -> str:
    return "是" if value else "否"


# ---------------------------------------------------------------------------------------------
# Writing


def neutralise(value: str) -> str:
    """Keep spreadsheets from taking exported text for a formula (CSV/formula injection)."""
    return "'" + value if value and value[0] in FORMULA_PREFIXES else value


Target = str | Path | BinaryIO


def write_table(
    target: Target,
    columns: Sequence[Column],
    records: Iterable[Sequence[Any]],
    fmt: str | None = None,
) -> int:
    """Write a header row and one row per record (field values in column order).

    `target` is a path (format from its extension) or a binary file (give `fmt`: csv/xlsx).
    """
    suffix = _target_format(target, fmt)
    formats = [c.format for c in columns]
    rows = ([f(v) for f, v in zip(formats, rec, strict=True)] for rec in records)
    headers = [c.header for c in columns]
    if suffix == ".csv":
        return _write_csv(target, headers, rows)
    return _write_xlsx(target, headers, rows)


def _target_format(target: Target, fmt: str | None) -> str:
    if fmt:
        return file_format(f"x.{fmt.lstrip('.')}")
    if isinstance(target, str | Path):
        return file_format(target)
    return file_format(getattr(target, "name", "") or "")


def _write_csv(target: Target, headers: list[str], rows: Iterable[list[Any]]) -> int:
    # UTF-8 with BOM: what Excel needs to open a UTF-8 csv with Chinese text correctly.
    if isinstance(target, str | Path):
        with open(target, "wb") as f:
            return _write_csv(f, headers, rows)
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(headers)
        count = 0
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave the caller's file open
    return count


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _write_xlsx(target: Target, headers: list[str], rows: Iterable[list[Any]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, str):
                v = neutralise(v)
            elif isinstance(v, dt.date):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd"
                v = cell
            cells.append(v)
        ws.append(cells)
        count += 1
    wb.save(target)
    return count


def write_errors(target: Target, errors: Iterable[RowError], fmt: str | None = None) -> int:
    """The error report: row number, column header and reason (csv or xlsx)."""
    columns = [Column(_("行号"), "row"), Column(_("列"), "column"), Column(_("错误原因"), "reason")]
    return write_table(target, columns, ((e.row or "", e.column, e.reason) for e in errors), fmt)
