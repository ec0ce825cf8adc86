"""Bulk import and export of the entity roster (检查对象名录库).

Import validates a file column by column (the USCC check vectorised in core.uscc), then
writes in one transaction: all-or-nothing by default, or the good rows with `skip_invalid`.
A row whose code exists updates that entity; each changed entity gets an 'update' audit event
with before/after, and the batch one 'import' event.

Writing on PostgreSQL uses COPY. A large load into a small table (the first load of a roster)
streams one COPY while the next chunk is validated, with most secondary indexes and the
foreign keys dropped inside the transaction and rebuilt at the end: maintaining them row by
row costs more than the whole rest of the import (see bench/bench_import.py). A failure rolls
all of it back. On SQLite the same logic runs through bulk_create.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import gc
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, repeat
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jianguan.core import audit, tabular, uscc
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import ADD, CHANGE, SYSTEM, VIEW
from jianguan.core.tabular import (
    Column,
    ImportResult,
    ParseError,
    RowError,
    TableError,
    TableReader,
)
from jianguan.org.models import Unit

from .models import DOMAINS, Entity, Industry

Progress = Callable[[int, int, str], None]

CHUNK_ROWS = 50_000
BULK_MIN_ROWS = 100_000  # below this, index maintenance is cheaper than a rebuild

# The canonical record: what a row sets, in a fixed order (used for diffs and writes).
RECORD = (
    "uscc",
    "name",
    "entity_type",
    "district_id",
    "station_id",
    "address",
    "industry_code",
    "established_on",
    "capital_wan",
    "legal_rep",
    "status",
    "domains",
    "key_tier",
)
DEFAULTS = {
    "station_id": None,
    "address": "",
    "industry_code": "",
    "established_on": None,
    "capital_wan": None,
    "legal_rep": "",
    "status": Entity.Status.ACTIVE.value,
    "domains": 0,
    "key_tier": "",
}
NO_PERMISSION = "无权导入其他区局的数据"


# ---------------------------------------------------------------------------------------------
# Reference data for one import


@dataclass
class Lookups:
    """Units, industries and the caller's jurisdiction, loaded once per import or export."""

    districts: dict[str, int]
    district_label: dict[int, str]
    stations_of: dict[int | None, dict[str, int]]  # district -> name/short name/code -> id
    station_district: dict[str, int]
    unit_name: dict[int, str]
    divisions: set[str]
    may_add: set[int] | None  # None: every district (city level or the system)
    may_change: set[int] | None

    @classmethod
    def empty(cls) -> Lookups:
        """No reference data: enough for the headers (templates need no database)."""
        return cls({}, {}, {}, {}, {}, set(), None, None)

    @classmethod
    def load(cls, user=None) -> Lookups:
        units = list(
            Unit.objects.values("id", "code", "name", "short_name", "kind", "district_id", "active")
        )
        lk = cls({}, {}, {}, {}, {u["id"]: u["name"] for u in units}, set(), None, None)
        for u in units:
            keys = (u["name"], u["short_name"], u["code"])
            if u["kind"] == Unit.Kind.DISTRICT:
                lk.district_label[u["id"]] = u["short_name"]
                if u["active"]:
                    lk.districts.update(dict.fromkeys(keys, u["id"]))
            elif u["kind"] in (Unit.Kind.STATION, Unit.Kind.TEAM) and u["active"]:
                lk.stations_of.setdefault(u["district_id"], {}).update(dict.fromkeys(keys, u["id"]))
                lk.station_district.update(dict.fromkeys(keys, u["district_id"]))
        lk.divisions = set(Industry.objects.filter(level="division").values_list("code", flat=True))
        if user is not None:
            lk.may_add = _districts_for(user, ADD)
            lk.may_change = _districts_for(user, CHANGE)
        return lk


def _districts_for(user, action: str) -> set[int]:
    qs = Unit.objects.restrict(user, action).filter(kind=Unit.Kind.DISTRICT)
    return set(qs.values_list("id", flat=True))


def _choices(choices: type) -> dict[str, str]:
    """Chinese label or stored value -> stored value, whatever the active language."""
    with translation.override("zh-hans"):
        out = {str(label): value for value, label in choices.choices}
    out.update({value: value for value in choices.values if value})
    return out


ENTITY_TYPES = _choices(Entity.Type)
STATUSES = _choices(Entity.Status)
TIERS = _choices(Entity.Tier)
with translation.override("zh-hans"):
    TYPE_LABEL = {v: str(label) for v, label in Entity.Type.choices}
    STATUS_LABEL = {v: str(label) for v, label in Entity.Status.choices}
    TIER_LABEL = {v: str(label) for v, label in Entity.Tier.choices if v}


def infer_type(code: str) -> str:
    """GB 32100: authority 9 (market regulation), category 1/2/3 = enterprise/individual/coop."""
    if code[0] == "9":
        return {"1": "enterprise", "2": "individual", "3": "cooperative"}.get(code[1], "other")
    return "other"


# ---------------------------------------------------------------------------------------------
# Column parsers (whole columns at a time)

Errors = tabular.Errors


def text_column(limit: int) -> Callable[[list[str]], tuple[list[Any], Errors]]:
    def parse(values: list[str]) -> tuple[list[Any], Errors]:
        return values, tabular.length_errors(values, limit)

    return parse


def choice_column(mapping: dict[str, str], default: Any, what: str):
    options = "、".join(k for k in mapping if not k.isascii())

    def parse(text: str) -> Any:
        if not text:
            return default
        if text not in mapping:
            raise ParseError(
                _("“%(v)s”不是有效的%(what)s，可选：%(opts)s")
                % {"v": text, "what": what, "opts": options}
            )
        return mapping[text]

    return parse


def parse_capital_column(values: list[str]) -> tuple[list[Any], Errors]:
    """Non-negative decimal, at most 12 integer and 4 decimal places; kept as text."""
    if any("," in v for v in values):
        values = [v.replace(",", "") for v in values]
    matches = list(map(_CAPITAL.fullmatch, values))
    out = [v or None for v in values]
    if matches.count(None) == values.count(""):
        return out, []
    errors = [
        (i, _capital_error(v))
        for i, (v, m) in enumerate(zip(values, matches, strict=True))
        if v and not m
    ]
    for i, _reason in errors:
        out[i] = None
    return out, errors


_CAPITAL = re.compile(r"\d{1,12}(?:\.\d{0,4})?")


def _capital_error(text: str) -> str:
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return _("注册资本应为数字（单位：万元），实际为“%(v)s”") % {"v": text}
    if value < 0:
        return _("注册资本不能为负数")
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        return _("注册资本最多保留4位小数")
    return _("注册资本超出范围（最大 999999999999.9999 万元）")


def established_parser() -> Callable[[str], str | None]:
    today = dt.date.today()

    def parse(text: str) -> str | None:
        day = tabular.parse_date(text)
        if day is None:
            return None
        if day > today:
            raise ParseError(_("成立日期不能晚于今天"))
        return day.isoformat()

    return parse


def parse_domains(text: str) -> int:
    mask, unknown = DOMAINS.parse(text)
    if unknown:
        raise ParseError(
            _("未知的监管领域：%(bad)s。可选：%(opts)s")
            % {"bad": "、".join(unknown), "opts": "、".join(DOMAINS.by_label)}
        )
    return mask


def industry_parser(divisions: set[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text:
            return ""
        if not (text.isdigit() and 2 <= len(text) <= 4):
            raise ParseError(
                _("行业代码应为2至4位数字（GB/T 4754-2017），实际为“%(v)s”") % {"v": text}
            )
        if text[:2] not in divisions:
            raise ParseError(_("行业代码“%(v)s”不在 GB/T 4754-2017 中") % {"v": text})
        return text

    return parse


def district_parser(lk: Lookups) -> Callable[[str], int | None]:
    def parse(text: str) -> int | None:
        if not text:
            return None
        if text not in lk.districts:
            raise ParseError(
                _("未知的区局“%(v)s”：请填写区名（如 黄浦区）、区局全称或区划代码（如 310101）")
                % {"v": text}
            )
        return lk.districts[text]

    return parse


def _capital_cell(value: decimal.Decimal | None) -> Any:
    return "" if value is None else decimal.Decimal(canon_decimal(str(value)))


def canon_decimal(text: str) -> str:
    """'0100.5000' -> '100.5': one spelling per amount, for comparing before/after."""
    whole, _dot, frac = text.partition(".")
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def entity_columns(lk: Lookups) -> list[Column]:
    """The file layout: headers, required flags, parsers (import) and formatters (export)."""
    return [
        Column("统一社会信用代码", "uscc", True, parse_many=uscc.check_column),
        Column("名称", "name", True, parse_many=text_column(200)),
        Column(
            "主体类型",
            "entity_type",
            parse=choice_column(ENTITY_TYPES, None, "主体类型"),
            format=TYPE_LABEL.get,
        ),
        Column(
            "所属区",
            "district_id",
            True,
            parse=district_parser(lk),
            format=lambda v: lk.district_label.get(v, ""),
        ),
        Column(
            "所属所",
            "station_id",
            parse_many=lambda values: (values, []),
            format=lambda v: lk.unit_name.get(v, "") if v else "",
        ),
        Column("住所", "address", parse_many=text_column(300)),
        Column("行业代码", "industry_code", parse=industry_parser(lk.divisions)),
        Column(
            "成立日期", "established_on", parse=established_parser(), format=tabular.format_date
        ),
        Column(
            "注册资本（万元）", "capital_wan", parse_many=parse_capital_column, format=_capital_cell
        ),
        Column("法定代表人", "legal_rep", parse_many=text_column(100)),
        Column(
            "登记状态",
            "status",
            parse=choice_column(STATUSES, "active", "登记状态"),
            format=STATUS_LABEL.get,
        ),
        Column("监管领域", "domains", parse=parse_domains, format=DOMAINS.format),
        Column(
            "重点领域类别",
            "key_tier",
            parse=choice_column(TIERS, "", "重点领域类别"),
            format=lambda v: TIER_LABEL.get(v, ""),
        ),
    ]


HEADERS = [c.header for c in entity_columns(Lookups.empty())]


# ---------------------------------------------------------------------------------------------
# Validating a chunk


@dataclass
class Clean:
    """Valid rows of a chunk, column by column in RECORD fields, with their row numbers."""

    rows: list[int]
    cols: dict[str, list[Any]]
    plain: bool = False  # no backslashes anywhere (see tabular._plain)

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> Iterable[tuple]:
        return zip(*(self.cols[f] for f in RECORD), strict=True)


class Validator:
    def __init__(self, lk: Lookups, columns: list[Column], present: set[str]):
        self.lk = lk
        self.columns = [c for c in columns if c.field in present]
        self.header = {c.field: c.header for c in columns}
        self.present = present
        # Duplicate detection: the codes so far, and the chunks to find a first row in.
        self.seen: set[str] = set()
        self.chunks: list[tuple[list[str | None], list[int]]] = []
        self.first: dict[str, int] | None = None

    def __call__(self, chunk: tabular.Chunk) -> tuple[Clean, list[tuple[int, str, str]]]:
        out, errors = tabular.parse_chunk(chunk, self.columns)
        errors += self._stations(out)
        errors += self._scope(out["district_id"])
        errors += self._duplicates(out["uscc"], chunk.rows)
        self._fill(out, len(chunk))
        clean = self._clean(out, chunk.rows, errors)
        clean.plain = chunk.plain
        return clean, errors

    def _stations(self, out: dict[str, list[Any]]) -> list[tuple[int, str, str]]:
        """Stations are looked up within the row's district."""
        texts = out.get("station_id")
        if texts is None:
            return []
        districts = out["district_id"]
        per_district = map(self.lk.stations_of.get, districts, repeat({}))
        ids = list(map(dict.get, per_district, texts))
        out["station_id"] = ids
        if ids.count(None) == texts.count(""):
            return []
        header = self.header["station_id"]
        return [
            (i, header, self._station_error(t, d))
            for i, (sid, t, d) in enumerate(zip(ids, texts, districts, strict=True))
            if sid is None and t and d is not None
        ]

    def _station_error(self, text: str, district: int) -> str:
        if text in self.lk.station_district:
            return _("所属所“%(s)s”不属于%(d)s") % {
                "s": text,
                "d": self.lk.district_label[district],
            }
        return _("未知的所属所“%(s)s”：请填写所名、简称或机构代码") % {"s": text}

    def _scope(self, districts: list[int | None]) -> list[tuple[int, str, str]]:
        allowed = self.lk.may_add
        if allowed is None or set(districts) - {None} <= allowed:
            return []
        header = self.header["district_id"]
        return [
            (i, header, _(NO_PERMISSION))
            for i, d in enumerate(districts)
            if d is not None and d not in allowed
        ]

    def _duplicates(self, codes: list[str | None], rows: list[int]) -> list[tuple[int, str, str]]:
        """A code seen before (in this chunk or an earlier one) is an error on the later row.

        The usual file repeats nothing: a set of codes proves it cheaply. At the first repeat
        the codes' first rows are indexed once and used from then on."""
        if self.first is None:
            before = len(self.seen)
            self.seen.update(filter(None, codes))
            self.chunks.append((codes, rows))
            if len(self.seen) - before == len(codes) - codes.count(None):
                return []
            self.first = {}
            for earlier_codes, earlier_rows in self.chunks[:-1]:
                self._index_first(earlier_codes, earlier_rows)
            self.seen, self.chunks = set(), []
        return self._index_first(codes, rows)

    def _index_first(self, codes: list[str | None], rows: list[int]) -> list[tuple[int, str, str]]:
        first, errors, header = self.first, [], self.header["uscc"]
        assert first is not None
        for i, (code, row) in enumerate(zip(codes, rows, strict=True)):
            if code is not None and first.setdefault(code, row) != row:
                errors.append(
                    (
                        i,
                        header,
                        _("统一社会信用代码在文件中重复（与第%(r)d行相同）") % {"r": first[code]},
                    )
                )
        return errors

    def _fill(self, out: dict[str, list[Any]], n: int) -> None:
        """Defaults for columns the file lacks; the entity type follows the code when blank."""
        for name, default in DEFAULTS.items():
            if name not in out:
                out[name] = [default] * n
        types = out.get("entity_type")
        if types is None or None in types:
            given = types or [None] * n
            out["entity_type"] = [
                t or (infer_type(c) if c else None) for t, c in zip(given, out["uscc"], strict=True)
            ]

    @staticmethod
    def _clean(out: dict[str, list[Any]], rows: list[int], errors: list) -> Clean:
        if not errors:
            return Clean(rows, {f: out[f] for f in RECORD})
        bad = {i for i, _h, _r in errors}
        keep = [i not in bad for i in range(len(rows))]
        return Clean(list(compress(rows, keep)), {f: list(compress(out[f], keep)) for f in RECORD})


# ---------------------------------------------------------------------------------------------
# Result


class _Rollback(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Import


def import_entities(
    path: str | Path,
    *,
    user=None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import a csv/xlsx roster file. `user` None acts as the system (city-wide).

    All-or-nothing unless `skip_invalid`: with any error nothing is written (result.committed
    is False) and result.errors says where and why. Raises PermissionDenied when the user may
    not add entities anywhere.
    """
    lk = Lookups.load(user)
    if lk.may_add is not None and not lk.may_add:
        raise PermissionDenied(_("您没有导入检查对象的权限"))
    path = Path(path)
    result = ImportResult(file_name=file_name or path.name)
    result.sha256, estimate = _file_facts(path)
    report = progress or (lambda done, total, phase: None)
    try:
        with gc_paused(), transaction.atomic():
            with TableReader(path, entity_columns(lk)) as table:
                _Run(table, lk, result, user, skip_invalid, report, estimate).run()
            if result.errors and not skip_invalid:
                raise _Rollback
            _record_import(user, result)
            result.committed = True
    except _Rollback:
        result.discard()
    except TableError as e:
        result.errors, result.error_rows = e.errors, {x.row for x in e.errors}
    result.errors.sort(key=lambda e: e.row)
    return result


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Millions of small lists and tuples would trigger the cycle collector over and over
    (a third of the import's time); this code makes no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _file_facts(path: Path) -> tuple[str, int]:
    """sha256 of the file and its line count less the header (csv: the rows it can hold)."""
    digest, lines = hashlib.sha256(), 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            lines += block.count(b"\n")
    return digest.hexdigest(), max(lines - 1, 0) if path.suffix.lower() == ".csv" else 0


class _Run:
    """One import: validate chunk by chunk, hand clean rows to the writer, collect errors."""

    def __init__(
        self,
        table: TableReader,
        lk: Lookups,
        result: ImportResult,
        user,
        skip_invalid: bool,
        progress: Progress,
        estimate: int,
    ):
        self.table, self.lk, self.result, self.user = table, lk, result, user
        self.skip_invalid, self.progress, self.estimate = skip_invalid, progress, estimate
        self.validate = Validator(lk, table.columns, table.fields)

    def run(self) -> None:
        """Validate and write chunk by chunk. The writer is chosen once BULK_MIN_ROWS rows have
        really been read (or the file ended): what a file claims about its size (an xlsx
        <dimension>) never takes the bulk path, which locks the whole table."""
        estimate = self.estimate or self.table.claimed_rows  # progress bar only
        with contextlib.ExitStack() as stack:
            writer: _Writer | None = None
            pending: list[Clean] = []
            writing = True
            for chunk in self.table.chunks(CHUNK_ROWS):
                clean, errors = self.validate(chunk)
                self.result.total += len(chunk)
                self._errors(chunk.rows, errors)
                writing = writing and (self.skip_invalid or not self.result.errors)
                if not writing:
                    pending = []
                elif len(clean):
                    pending.append(clean)
                if writing and self.result.total >= BULK_MIN_ROWS and writer is None:
                    writer = stack.enter_context(self._writer(self.result.total))
                if writer is not None and pending:
                    for clean in pending:
                        writer.add(clean)
                    pending = []
                self.progress(self.result.total, max(estimate, self.result.total), _("校验并写入"))
            if not writing:
                raise _Rollback  # abort early: nothing of this file will be kept
            if writer is None:
                writer = stack.enter_context(self._writer(self.result.total))
                for clean in pending:
                    writer.add(clean)
            counts, errors = writer.finish(self.progress)
            self.result.created, self.result.updated, self.result.unchanged = counts
            self.result.add_errors(errors)

    def _writer(self, rows_read: int) -> _Writer:
        # Once that many rows are real, a csv's line count may stand for the rows to come
        # (the table must be small against the whole load for a rebuild to pay).
        expected = max(rows_read, self.estimate) if rows_read >= BULK_MIN_ROWS else rows_read
        return make_writer(self.lk, self.user, self.table.fields, expected)

    def _errors(self, rows: list[int], errors: list[tuple[int, str, str]]) -> None:
        if errors:
            self.result.add_errors(
                RowError(rows[i], header, reason) for i, header, reason in errors
            )


def _record_import(user, result: ImportResult) -> None:
    district = None
    if user is not None and getattr(user, "scope_level", None) != "city" and user.unit_id:
        district = user.unit.district
    audit.record(
        user,
        AuditEvent.Action.IMPORT,
        object_type="registry.entity",
        object_repr=(_("检查对象导入：%(f)s") % {"f": result.file_name})[:255],
        changes={"file": result.file_name, "sha256": result.sha256, **result.counts()},
        district=district,
    )


# ---------------------------------------------------------------------------------------------
# Writers


def make_writer(lk: Lookups, user, present: set[str], estimate: int) -> _Writer:
    if connection.vendor != "postgresql":
        return OrmWriter(lk, user, present)
    if estimate >= BULK_MIN_ROWS and _table_rows_at_most(estimate):
        return PgBulkWriter(lk, user, present)
    return PgWriter(lk, user, present)


def _table_rows_at_most(limit: int) -> bool:
    with connection.cursor() as c:
        c.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} LIMIT %s) t", [limit + 1])
        return c.fetchone()[0] <= limit


TABLE = Entity._meta.db_table


class _Writer:
    """New rows are written as they come; rows whose code exists are held, then diffed and
    updated at the end (only the changed ones, each with an audit event)."""

    def __init__(self, lk: Lookups, user, present: set[str]):
        self.lk, self.user, self.present = lk, user, present
        self.now = timezone.now()
        self.created = 0
        self.held: list[tuple[int, tuple]] = []  # (row number, record)

    def add(self, clean: Clean) -> None:
        known = self.known(clean.cols["uscc"])
        if not known:
            self.insert(clean)
            return
        fresh = [c not in known for c in clean.cols["uscc"]]
        records = list(clean.records())
        self.held += [
            (r, rec) for r, rec, new in zip(clean.rows, records, fresh, strict=True) if not new
        ]
        if any(fresh):
            cols = {f: list(compress(clean.cols[f], fresh)) for f in RECORD}
            self.insert(Clean(list(compress(clean.rows, fresh)), cols))

    def finish(self, progress: Progress) -> tuple[tuple[int, int, int], list[RowError]]:
        self.end_inserts(progress)
        progress(0, len(self.held), _("比对已有记录"))
        changed, unchanged, errors = self._compare()
        if changed:
            progress(0, len(changed), _("更新已有记录"))
            self.update([rec for _id, rec, _c in changed], [i for i, _r, _c in changed])
            self._audit(changed)
        return (self.created, len(changed), unchanged), errors

    def _compare(self) -> tuple[list[tuple[int, tuple, dict]], int, list[RowError]]:
        existing = fetch_existing([rec[0] for _row, rec in self.held])
        changed, unchanged, errors = [], 0, []
        for row, rec in self.held:
            pk, old = existing[rec[0]]
            new = merge(old, rec, self.present)
            if self.lk.may_change is not None and not {old[3], new[3]} <= self.lk.may_change:
                errors.append(RowError(row, "统一社会信用代码", _(NO_PERMISSION)))
            elif changes := entity_diff(old, new, self.lk):
                changed.append((pk, new, changes))
            else:
                unchanged += 1
        return changed, unchanged, errors

    def _audit(self, changed: list[tuple[int, tuple, dict]]) -> None:
        label = audit._label(self.user)
        actor = self.user if getattr(self.user, "pk", None) else None
        events = (
            AuditEvent(
                actor=actor,
                actor_label=label,
                action=AuditEvent.Action.UPDATE,
                object_type="registry.entity",
                object_id=str(pk),
                object_repr=rec[1][:255],
                changes=changes,
                note=_("批量导入"),
                district_id=rec[3],
            )
            for pk, rec, changes in changed
        )
        AuditEvent.objects.bulk_create(events, batch_size=2000)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(*exc)

    def close(self, *exc: Any) -> None:
        pass

    # implemented per backend
    def known(self, codes: list[str]) -> set[str]:
        raise NotImplementedError

    def insert(self, clean: Clean) -> None:
        raise NotImplementedError

    def end_inserts(self, progress: Progress) -> None:
        pass

    def update(self, records: list[tuple], pks: list[int]) -> None:
        raise NotImplementedError


def merge(old: tuple, new: tuple, present: set[str]) -> tuple:
    """A row updates only the columns the file has; the station goes if the district moves."""
    if len(present) == len(RECORD):
        return new
    merged = [n if f in present else o for f, o, n in zip(RECORD, old, new, strict=True)]
    if "station_id" not in present and merged[3] != old[3]:
        merged[4] = None
    return tuple(merged)


def fetch_existing(codes: list[str]) -> dict[str, tuple[int, tuple]]:
    """code -> (pk, record in canonical form) for existing entities."""
    out = {}
    for start in range(0, len(codes), 5000):
        rows = Entity.objects.filter(uscc__in=codes[start : start + 5000]).values_list(
            "pk", *RECORD
        )
        for pk, *values in rows:
            out[values[0]] = (pk, canonical(values))
    return out


def canonical(values: list[Any]) -> tuple:
    day, capital = values[7], values[8]
    values[7] = day.isoformat() if day else None
    values[8] = canon_decimal(str(capital)) if capital is not None else None
    return tuple(values)


def entity_diff(old: tuple, new: tuple, lk: Lookups) -> dict[str, list[Any]]:
    """{field: [before, after]} in readable form (unit names, domain labels)."""
    shown = {
        "district_id": ("district", lambda v: lk.unit_name.get(v)),
        "station_id": ("station", lambda v: lk.unit_name.get(v) if v else None),
        "domains": ("domains", DOMAINS.format),
    }
    changes = {}
    for f, before, after in zip(RECORD, old, new, strict=True):
        if f == "capital_wan" and after is not None:
            after = canon_decimal(after)  # 100.50 in the file is the stored 100.5000
        if before != after:
            name, show = shown.get(f, (f, lambda v: v))
            changes[name] = [show(before), show(after)]
    return changes


class OrmWriter(_Writer):
    """SQLite (and any other backend): bulk_create, with ON CONFLICT for updates."""

    BATCH = 900  # SQLite's historical limit on query parameters

    def known(self, codes: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(codes), self.BATCH):
            part = codes[start : start + self.BATCH]
            found.update(Entity.objects.filter(uscc__in=part).values_list("uscc", flat=True))
        return found

    def insert(self, clean: Clean) -> None:
        Entity.objects.bulk_create(map(self._entity, clean.records()), batch_size=1000)
        self.created += len(clean)

    def update(self, records: list[tuple], pks: list[int]) -> None:
        fields = [f.removesuffix("_id") for f in RECORD if f != "uscc"] + [
            "region_code",
            "updated_at",
        ]
        Entity.objects.bulk_create(
            map(self._entity, records),
            batch_size=500,
            update_conflicts=True,
            unique_fields=["uscc"],
            update_fields=fields,
        )

    @staticmethod
    def _entity(rec: tuple) -> Entity:
        values = dict(zip(RECORD, rec, strict=True))
        day, capital = values["established_on"], values["capital_wan"]
        values["established_on"] = dt.date.fromisoformat(day) if day else None
        values["capital_wan"] = decimal.Decimal(capital) if capital is not None else None
        return Entity(region_code=rec[0][2:8], **values)


# PostgreSQL -----------------------------------------------------------------------------------

COPY_COLUMNS = RECORD + ("region_code", "risk_class", "created_at", "updated_at")
STAMPS = ("risk_class", "created_at", "updated_at")  # constant for every row of an import
NULL = "\\N"


def copy_text(clean: Clean, now: str | None) -> str:
    """The rows in COPY text format: COPY_COLUMNS, or without the STAMPS when `now` is None
    (the table supplies them). Control characters were rejected by validation, so only
    backslashes need escaping."""
    cols = clean.cols
    texts = {None: NULL}
    out = []
    for f in RECORD:
        values = cols[f]
        if f in ("district_id", "station_id", "domains"):
            texts.update((v, str(v)) for v in set(values) if v not in texts)
            values = list(map(texts.__getitem__, values))
        elif f in ("established_on", "capital_wan"):
            values = [v or NULL for v in values]
        elif f in ("name", "address", "legal_rep") and not clean.plain and "\\" in "".join(values):
            values = [v.replace("\\", "\\\\") for v in values]
        out.append(values)
    out.append([c[2:8] for c in cols["uscc"]])
    # The constant last columns (the STAMPS) ride on the row separator.
    tail = f"\t\t{now}\t{now}\n" if now else "\n"
    return tail.join(map("\t".join, zip(*out, strict=True))) + tail


def _copy_sql(table: str, columns: tuple[str, ...] = COPY_COLUMNS) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


def _raw_cursor():
    connection.ensure_connection()
    return connection.connection.cursor()


class PgWriter(_Writer):
    """PostgreSQL, into a table that stays indexed: one COPY per chunk of new rows."""

    lock_mode = "SHARE ROW EXCLUSIVE"  # other writers wait; readers do not

    def __init__(self, lk: Lookups, user, present: set[str]):
        super().__init__(lk, user, present)
        self.cur = _raw_cursor()
        self.cur.execute(f"LOCK TABLE {TABLE} IN {self.lock_mode} MODE")
        self.now_text = self.now.isoformat()

    def known(self, codes: list[str]) -> set[str]:
        self.cur.execute(f"SELECT uscc FROM {TABLE} WHERE uscc = ANY(%s)", [codes])
        return {r[0] for r in self.cur.fetchall()}

    def insert(self, clean: Clean) -> None:
        with self.cur.copy(_copy_sql(TABLE)) as cp:
            cp.write(copy_text(clean, self.now_text))
        self.created += len(clean)

    def update(self, records: list[tuple], pks: list[int]) -> None:
        """COPY the new values into a temp table, then one UPDATE ... FROM."""
        cur = self.cur
        cur.execute("DROP TABLE IF EXISTS pg_temp.entity_import_update")
        cur.execute(
            "CREATE TEMP TABLE entity_import_update ON COMMIT DROP AS "
            f"SELECT id, {', '.join(COPY_COLUMNS)} FROM {TABLE} WITH NO DATA"
        )
        for start in range(0, len(records), CHUNK_ROWS):
            part = records[start : start + CHUNK_ROWS]
            clean = Clean(
                [0] * len(part), dict(zip(RECORD, map(list, zip(*part, strict=True)), strict=True))
            )
            lines = copy_text(clean, self.now_text).splitlines()
            ids = map(str, pks[start : start + CHUNK_ROWS])
            with cur.copy(
                f"COPY entity_import_update (id, {', '.join(COPY_COLUMNS)}) FROM STDIN"
            ) as cp:
                cp.write("".join(f"{i}\t{line}\n" for i, line in zip(ids, lines, strict=True)))
        sets = ", ".join(
            f"{c} = s.{c}" for c in COPY_COLUMNS if c not in ("uscc", "risk_class", "created_at")
        )
        cur.execute(f"UPDATE {TABLE} e SET {sets} FROM entity_import_update s WHERE e.id = s.id")

    def close(self, *exc: Any) -> None:
        self.cur.close()


class PgBulkWriter(PgWriter):
    """PostgreSQL, a large load into a small table: stream one COPY while validating, with the
    secondary indexes and foreign keys dropped; rebuild them at the end (sorting beats a
    million random index insertions). All inside the import's transaction, so a failure
    restores them. Holds an exclusive lock on the table while it works."""

    lock_mode = "ACCESS EXCLUSIVE"

    def __init__(self, lk: Lookups, user, present: set[str]):
        super().__init__(lk, user, present)
        self.cur.execute(f"SELECT uscc FROM {TABLE}")
        self.keys = {r[0] for r in self.cur.fetchall()}
        self.rebuild = self._drop_indexes() + self._stamp_defaults()
        self.cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Parallel index builds: more workers than spare cores only contend (measured on 2
        # cores: one worker rebuilds the roster's indexes 10% faster than the default two).
        workers = max(1, (os.cpu_count() or 2) - 1)
        self.cur.execute(
            "SELECT set_config('max_parallel_maintenance_workers', "
            "least(current_setting('max_parallel_maintenance_workers')::int, %s)::text, true)",
            [workers],
        )
        self._stack = contextlib.ExitStack()
        # A writer thread feeds the server while this thread validates the next chunk.
        from psycopg.copy import QueuedLibpqWriter

        writer = QueuedLibpqWriter(self.cur)
        sql = _copy_sql(TABLE, RECORD + ("region_code",))
        self._copy = self._stack.enter_context(self.cur.copy(sql, writer=writer))

    # Indexes over these columns alone stay: they hold a few hundred distinct keys (units), so
    # new rows land on a few hundred hot pages, cheap to maintain while the server would
    # otherwise wait for the next chunk. Every other index costs more to maintain than to
    # rebuild by sorting.
    KEEP_INDEXED = frozenset({"district_id", "station_id"})

    def _drop_indexes(self) -> list[str]:
        """Drop what is cheaper to rebuild; return the statements that rebuild it."""
        cur = self.cur
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [TABLE],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), "
            "i.indexprs IS NULL AND i.indpred IS NULL, "
            "array(SELECT attname FROM pg_attribute a WHERE a.attrelid = i.indrelid "
            "      AND a.attnum = ANY(i.indkey)) "
            "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [TABLE],
        )
        indexes = [
            (name, d)
            for name, d, simple, cols in cur.fetchall()
            if not (simple and cols and set(cols) <= self.KEEP_INDEXED)
        ]
        # DDL refuses to run while deferred FK checks are queued (e.g. rows inserted earlier in
        # an enclosing transaction): run them now, and defer again once rebuilt.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _def in constraints:
            cur.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        for name, _def in indexes:
            cur.execute(f"DROP INDEX {name}")
        return [d for _n, d in indexes] + [
            f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {d}' for name, d in constraints
        ]

    def _stamp_defaults(self) -> list[str]:
        """The STAMPS as column defaults while loading (the server parsing two timestamps per
        row costs more than the rest of a row); return the statements that restore them."""
        cur = self.cur
        cur.execute(
            "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
            [TABLE, list(STAMPS)],
        )
        before = dict(cur.fetchall())
        stamp = f"'{self.now.isoformat()}'::timestamptz"  # our own value, not user input
        cur.execute(
            f"ALTER TABLE {TABLE} ALTER risk_class SET DEFAULT '', "
            f"ALTER created_at SET DEFAULT {stamp}, ALTER updated_at SET DEFAULT {stamp}"
        )
        return [
            f"ALTER TABLE {TABLE} ALTER {col} "
            + (f"SET DEFAULT {before[col]}" if before.get(col) else "DROP DEFAULT")
            for col in STAMPS
        ]

    def known(self, codes: list[str]) -> set[str]:
        keys = self.keys
        return {c for c in codes if c in keys} if keys else set()

    def insert(self, clean: Clean) -> None:
        self._copy.write(copy_text(clean, None))
        self.created += len(clean)

    def end_inserts(self, progress: Progress) -> None:
        self._stack.close()
        for done, statement in enumerate(self.rebuild):
            progress(done, len(self.rebuild), _("重建索引"))
            self.cur.execute(statement)
        self.cur.execute("SET CONSTRAINTS ALL DEFERRED")

    def close(self, *exc: Any) -> None:
        # With an exception the COPY is aborted (CopyFail) and the transaction rolls back.
        if exc and exc[0] is not None:
            self._stack.__exit__(*exc)
        else:
            self._stack.close()
        super().close()


# ---------------------------------------------------------------------------------------------
# Export and template


def export_entities(
    target: tabular.Target,
    *,
    user=SYSTEM,
    district: str | None = None,
    queryset=None,
    fmt: str | None = None,
) -> int:
    """Write entities in the import layout, so the file imports back unchanged.

    Exports `queryset` if given (the caller has scoped it), else what `user` may see
    (everything for the system), optionally one district by unit code. Returns the row count.
    """
    if queryset is None:
        queryset = Entity.objects.restrict(user, VIEW)
    if district:
        queryset = queryset.filter(district__code=district)
    columns = entity_columns(Lookups.load())
    rows = (
        queryset.order_by("id").values_list(*(c.field for c in columns)).iterator(chunk_size=5000)
    )
    return tabular.write_table(target, columns, rows, fmt)


def write_template(target: tabular.Target, fmt: str | None = None) -> None:
    """An empty file with the import headers (csv or xlsx)."""
    tabular.write_table(target, entity_columns(Lookups.empty()), [], fmt)
