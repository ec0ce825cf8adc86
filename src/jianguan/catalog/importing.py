"""Bulk import and export of the check-item list (抽查事项清单) and the result codes.

Same file rules as the rosters (core.tabular): columns by their Chinese header, formulas never
evaluated, export in the import layout so that a file round-trips. These lists are small (tens
to a few hundred rows), so an import runs at once, in the request, and is all-or-nothing: one
bad row and nothing is written; every problem is reported with row, column and reason.

A row whose code exists updates that item (code); any other row creates one. Each row is
checked by the model itself (full_clean), so the file obeys exactly the rules of the form:
key items have no cap, general items have one and a default ratio not above it. Every created
or changed row gets its own audit event (these lists have legal weight and few rows), and the
batch one 'import' event.

Only users allowed to add to these city-wide lists (city administrators) may import;
`user=None` is the system (command line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from jianguan.core import audit, tabular
from jianguan.core.downloads import file_download, stamped
from jianguan.core.flags import FlagSet
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import ADD, SYSTEM, VIEW, allowed
from jianguan.core.tabular import (
    Column,
    ImportResult,
    ParseError,
    RowError,
    TableError,
    TableReader,
)
from jianguan.personnel.importing import _active, _Rollback, _text, keep_valid
from jianguan.registry.models import DOMAINS

from .models import (
    LEGAL_BASIS_MAX,
    METHODS,
    RATIO_PLACES,
    CheckItem,
    Department,
    ResultCode,
    percent_number,
)
from .services import CITY_ONLY, ITEM_FIELDS, RESULT_CODE_FIELDS, shown

Progress = Callable[[int, int, str], None]
MAX_ROWS = 5_000  # a list, not a roster: more rows than this is the wrong file
NOTE = "批量导入"
ITEM_TYPE = "catalog.checkitem"
RESULT_CODE_TYPE = "catalog.resultcode"


# ---------------------------------------------------------------------------------------------
# Cell parsers


def parse_percent(text: str) -> Decimal | None:
    """'3', '3%', '2.5' (percent) → Decimal('0.0300'), Decimal('0.0250'); '' → None."""
    if not text:
        return None
    raw = text.removesuffix("%").removesuffix("％").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ParseError(_("应填写百分数（如 3 表示 3%%），实际为“%(v)s”") % {"v": text})
    if value < 0 or value > 100:
        raise ParseError(_("应在 0 到 100 之间（单位为 %%），实际为“%(v)s”") % {"v": text})
    step = Decimal(1).scaleb(-RATIO_PLACES)
    fraction = value / 100
    if fraction != fraction.quantize(step):
        raise ParseError(_("最多保留两位小数（如 2.5），实际为“%(v)s”") % {"v": text})
    return fraction.quantize(step)


def format_percent(value: Decimal | None) -> Any:
    """The stored fraction as the percent number a spreadsheet shows (0.0300 → 3)."""
    return "" if value is None else Decimal(percent_number(value))


def _flags_parser(flags: FlagSet, what: str):
    def parse(text: str) -> int:
        mask, unknown = flags.parse(text)
        if unknown:
            raise ParseError(
                _("未知的%(what)s：%(bad)s。可选：%(opts)s")
                % {
                    "what": what,
                    "bad": "、".join(unknown),
                    "opts": "、".join(label for _c, label in flags.choices),
                }
            )
        return mask

    return parse


def _kind(text: str) -> str:
    labels = {str(label): value for value, label in CheckItem.Kind.choices}
    short = {"一般": CheckItem.Kind.GENERAL, "重点": CheckItem.Kind.KEY}
    value = labels.get(text) or short.get(text) or (text if text in CheckItem.Kind.values else None)
    if value is None:
        raise ParseError(
            _("事项类别应填写“一般检查事项”或“重点检查事项”，实际为“%(v)s”") % {"v": text}
        )
    return str(value)


def _sort(text: str) -> int:
    if not text:
        return 0
    if not text.isdigit() or len(text) > 9:
        raise ParseError(_("排序应为不小于 0 的整数，实际为“%(v)s”") % {"v": text})
    return int(text)


# ---------------------------------------------------------------------------------------------
# Check items


@dataclass
class ItemLookups:
    departments: dict[str, Department]  # name or code -> department

    @classmethod
    def empty(cls) -> ItemLookups:
        return cls({})

    @classmethod
    def load(cls) -> ItemLookups:
        departments = list(Department.objects.order_by("code"))
        return cls(
            {**{d.code: d for d in departments}, **{d.name: d for d in departments}},
        )


def _department_parser(lk: ItemLookups):
    def parse(text: str) -> Department | None:
        if not text:
            return None
        if text not in lk.departments:
            names = "、".join(sorted({d.name for d in lk.departments.values()}))
            raise ParseError(
                _("未知的部门“%(v)s”：请填写部门名称或代码（现有：%(names)s）")
                % {"v": text, "names": names}
            )
        return lk.departments[text]

    return parse


def item_columns(lk: ItemLookups) -> list[Column]:
    """The file layout, for import and export alike."""
    return [
        Column("事项编码", "code", True, parse=_text(32)),
        Column("事项名称", "name", True, parse=_text(200)),
        Column(
            "部门",
            "department",
            True,
            parse=_department_parser(lk),
            format=lambda d: d.name if d is not None else "",
        ),
        Column(
            "事项类别",
            "kind",
            True,
            parse=_kind,
            format=lambda v: str(CheckItem.Kind(v).label),
        ),
        Column(
            "默认抽查比例（%）",
            "default_ratio",
            True,
            parse=parse_percent,
            format=format_percent,
        ),
        Column("比例上限（%）", "cap", parse=parse_percent, format=format_percent),
        Column("检查对象类型", "object_type", True, parse=_text(200)),
        Column(
            "检查方式",
            "methods",
            True,
            parse=_flags_parser(METHODS, "检查方式"),
            format=METHODS.format,
        ),
        Column(
            "监管领域",
            "domains",
            parse=_flags_parser(DOMAINS, "监管领域"),
            format=DOMAINS.format,
        ),
        Column("法律依据", "legal_basis", True, parse=_text(LEGAL_BASIS_MAX)),
        Column("启用", "active", parse=_active, format=tabular.format_yes_no),
    ]


ITEM_HEADERS = [c.header for c in item_columns(ItemLookups.empty())]
ITEM_RECORD = tuple(c.field for c in item_columns(ItemLookups.empty()))


def import_items(
    path: str | Path,
    *,
    user=None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import a csv/xlsx check-item file, all-or-nothing. `skip_invalid` is accepted for the
    shared command signature and must stay False: the list is imported whole or not at all."""
    if skip_invalid:
        raise ValueError("抽查事项清单只能整批导入")
    _check_permission(user, CheckItem)
    lk = ItemLookups.load()
    columns = item_columns(lk)
    headers = {c.field: c.header for c in columns}

    def write(rows: list[tuple[int, dict]], result: ImportResult) -> None:
        existing = {
            i.code: i
            for i in CheckItem.objects.filter(code__in=[v["code"] for _r, v in rows])
            .select_related("department")
            .select_for_update(of=("self",))
        }
        for row, values in rows:
            old = existing.get(values["code"])
            _write_row(
                row, values, old, CheckItem, ITEM_FIELDS, user=user, result=result, headers=headers
            )

    return _import(path, user, columns, "code", ITEM_TYPE, "抽查事项导入", write, file_name)


def export_items(
    target: tabular.Target,
    *,
    user=SYSTEM,
    district: str | None = None,
    queryset=None,
    fmt: str | None = None,
) -> int:
    """Write check items in the import layout (round-trips). `queryset` if given (already
    scoped by the caller), else what `user` may see (all for the system). The list is
    city-wide: `district` (kept for the shared command signature) must not be given."""
    if district:
        raise ValueError("抽查事项清单为全市共用，不能按区局导出")
    if queryset is None:
        queryset = CheckItem.objects.restrict(user, VIEW)
    qs = queryset.select_related("department").order_by("department__code", "code")
    records = ([getattr(i, f) for f in ITEM_RECORD] for i in qs)
    return tabular.write_table(target, item_columns(ItemLookups.empty()), records, fmt)


def write_item_template(target: tabular.Target, fmt: str | None = None) -> None:
    """An empty file with the import headers (csv or xlsx)."""
    tabular.write_table(target, item_columns(ItemLookups.empty()), [], fmt)


# ---------------------------------------------------------------------------------------------
# Result codes


def result_code_columns() -> list[Column]:
    return [
        Column("代码", "code", True, parse=_text(16)),
        Column("名称", "name", True, parse=_text(100)),
        Column("上级代码", "parent", parse=_text(16)),
        Column(
            "发现问题", "problem_found", parse=tabular.parse_yes_no, format=tabular.format_yes_no
        ),
        Column("排序", "sort", parse=_sort),
        Column("启用", "active", parse=_active, format=tabular.format_yes_no),
    ]


RESULT_CODE_HEADERS = [c.header for c in result_code_columns()]


def import_result_codes(
    path: str | Path,
    *,
    user=None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import a csv/xlsx result-code file, all-or-nothing (see import_items). 上级代码 names a
    code already stored or one in the same file; top-level rows are written first. A sub-kind
    whose 发现问题 is blank takes its parent's."""
    if skip_invalid:
        raise ValueError("检查结果代码只能整批导入")
    _check_permission(user, ResultCode)
    columns = result_code_columns()
    headers = {c.field: c.header for c in columns}

    def write(rows: list[tuple[int, dict]], result: ImportResult) -> None:
        existing = {
            c.code: c
            for c in ResultCode.objects.filter(code__in=[v["code"] for _r, v in rows])
            .select_related("parent")
            .select_for_update(of=("self",))
        }
        # Parents before their sub-kinds, so that a file may bring both.
        for row, values in sorted(rows, key=lambda r: bool(r[1].get("parent"))):
            values = dict(values)
            old = existing.get(values["code"])
            if "parent" in values:
                code = values.pop("parent")
                parent = ResultCode.objects.filter(code=code).first() if code else None
                if code and parent is None:
                    reason = _("上级代码“%(c)s”不存在") % {"c": code}
                    result.add_errors([RowError(row, headers["parent"], reason)])
                    continue
                values["parent"] = parent
            if values.get("problem_found", False) is None:
                del values["problem_found"]  # blank: keep the stored value …
                parent = values.get("parent", old.parent if old else None)
                if old is None and parent is not None:  # … or take the parent's
                    values["problem_found"] = parent.problem_found
            _write_row(
                row,
                values,
                old,
                ResultCode,
                RESULT_CODE_FIELDS,
                user=user,
                result=result,
                headers=headers,
            )

    return _import(
        path, user, columns, "code", RESULT_CODE_TYPE, "检查结果代码导入", write, file_name
    )


def export_result_codes(
    target: tabular.Target,
    *,
    user=None,
    district: str | None = None,
    queryset=None,
    fmt: str | None = None,
) -> int:
    """Write result codes in the import layout, parents before their sub-kinds."""
    from .selectors import result_code_tree

    if district:
        raise ValueError("检查结果代码为全市共用，不能按区局导出")
    if queryset is None:
        queryset = (
            ResultCode.objects.restrict(user, VIEW)
            if user is not None
            else ResultCode.objects.all()
        )
    codes = queryset.select_related("parent").order_by("sort", "code")
    records = (
        [
            c.code,
            c.name,
            c.parent.code if c.parent_id else "",
            c.problem_found,
            c.sort,
            c.active,
        ]
        for c, _depth in result_code_tree(codes)
    )
    return tabular.write_table(target, result_code_columns(), records, fmt)


def write_result_code_template(target: tabular.Target, fmt: str | None = None) -> None:
    tabular.write_table(target, result_code_columns(), [], fmt)


# ---------------------------------------------------------------------------------------------
# Shared


def _check_permission(user, model: type[models.Model]) -> None:
    if user is not None and not allowed(user, ADD, model):
        raise PermissionDenied(_(CITY_ONLY))


def _import(
    path: str | Path,
    user,
    columns: list[Column],
    key: str,
    object_type: str,
    label: str,
    write: Callable[[list[tuple[int, dict]], ImportResult], None],
    file_name: str | None,
) -> ImportResult:
    """Read and check every row, write them in one transaction, roll back on any error."""
    path = Path(path)
    result = ImportResult(file_name=file_name or path.name, sha256=tabular.file_sha256(path))
    try:
        with transaction.atomic():
            with TableReader(path, columns) as table:
                rows = _read(table, key, result)
            write(rows, result)
            if result.errors:
                raise _Rollback
            audit.record(
                user,
                AuditEvent.Action.IMPORT,
                object_type=object_type,
                object_repr=f"{_(label)}：{result.file_name}"[:255],
                changes={"file": result.file_name, "sha256": result.sha256, **result.counts()},
            )
            result.committed = True
    except _Rollback:
        result.discard()
    except TableError as e:
        result.errors, result.error_rows = e.errors, {x.row for x in e.errors}
    result.errors.sort(key=lambda e: (e.row, e.column))
    return result


def _read(table: TableReader, key: str, result: ImportResult) -> list[tuple[int, dict]]:
    """Validated rows as (row number, {field: value}); a key twice in the file is an error."""
    header = {c.field: c.header for c in table.columns}
    seen: dict[str, int] = {}
    out: list[tuple[int, dict]] = []
    for chunk in table.chunks(MAX_ROWS):
        if result.total + len(chunk) > MAX_ROWS:
            raise TableError(
                [RowError(0, "", _("文件超过 %(n)d 行，请确认选择了正确的文件") % {"n": MAX_ROWS})]
            )
        parsed, errors = tabular.parse_chunk(chunk, table.columns)
        for i, (code, row) in enumerate(zip(parsed[key], chunk.rows, strict=True)):
            if code and seen.setdefault(code, row) != row:
                reason = _("%(h)s在文件中重复（与第%(r)d行相同）") % {
                    "h": header[key],
                    "r": seen[code],
                }
                errors.append((i, header[key], reason))
        keep_valid(chunk, parsed, errors, result, out)
    return out


def _write_row(
    row: int,
    values: dict[str, Any],
    old: models.Model | None,
    model: type[models.Model],
    fields: list[str],
    *,
    user,
    result: ImportResult,
    headers: dict[str, str],
) -> None:
    """Apply one row to its object (the stored one or a new one), check it with the model's
    own rules, save it when it changed, and record the change."""
    obj = old if old is not None else model()
    before = shown(obj, fields=fields) if old is not None else {}
    for name, value in values.items():
        setattr(obj, name, value)
    try:
        obj.full_clean()
    except ValidationError as e:
        result.add_errors(
            RowError(row, "" if field == NON_FIELD_ERRORS else headers.get(field, ""), msg)
            for field, messages in e.message_dict.items()
            for msg in messages
        )
        return
    after = shown(obj, fields=fields)
    if old is not None and after == before:
        result.unchanged += 1
        return
    obj.save()
    action = AuditEvent.Action.UPDATE if old is not None else AuditEvent.Action.CREATE
    audit.record(user, action, obj, changes=audit.diff(before, after), note=_(NOTE))
    if old is not None:
        result.updated += 1
    else:
        result.created += 1


# ---------------------------------------------------------------------------------------------
# Downloads


def export_items_response(queryset, fmt: str) -> FileResponse:
    return file_download(
        lambda f: export_items(f, queryset=queryset, fmt=fmt), stamped("抽查事项清单", fmt)
    )


def item_template_response(fmt: str) -> FileResponse:
    return file_download(lambda f: write_item_template(f, fmt), f"抽查事项导入模板.{fmt}")


def export_result_codes_response(queryset, fmt: str) -> FileResponse:
    return file_download(
        lambda f: export_result_codes(f, queryset=queryset, fmt=fmt), stamped("检查结果代码", fmt)
    )


def result_code_template_response(fmt: str) -> FileResponse:
    return file_download(
        lambda f: write_result_code_template(f, fmt), f"检查结果代码导入模板.{fmt}"
    )
