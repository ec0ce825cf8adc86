"""File import and export of the risk app's small register: key-area enterprise listings
(重点领域企业清单).

Same rules as the other imports (core.tabular): columns by their Chinese header, csv or xlsx,
formulas refused, errors named by row and column. All or nothing: one bad row and nothing is
written. The files are small (a city's testing bodies, its key-area enterprises), so the import
runs within the request; every created row is audited, plus one 'import' event per file.

Jurisdiction: a row may only name an entity the user may change (restrict(user, CHANGE)); an
entity outside it reads as unknown, as on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jianguan.core import audit, tabular
from jianguan.core import uscc as uscc_codes
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.tabular import (
    Column,
    ImportResult,
    ParseError,
    RowError,
    TableError,
    TableReader,
)
from jianguan.registry.models import Entity

from . import services
from .models import AREAS, KeyAreaListing

A = AuditEvent.Action


def _choice(options: list[tuple[str, Any]], what: str) -> Callable[[str], str]:
    """A parser accepting a choice's Chinese label or its code."""
    by_text = {str(label): code for code, label in options} | {code: code for code, _l in options}

    def parse(text: str) -> str:
        if text not in by_text:
            labels = "、".join(str(label) for _c, label in options)
            raise ParseError(f"{what}应为：{labels}；实际为“{text}”")
        return by_text[text]

    return parse


def _year(text: str) -> int:
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        raise ParseError(f"年度应为 2000～2100 的四位数字，实际为“{text}”")
    return int(text)


def _date(text: str) -> dt.date | None:
    return tabular.parse_date(text)


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ParseError(f"长度不能超过{limit}个字符")
        return text

    return parse


LISTING_COLUMNS = [
    Column("统一社会信用代码", "uscc", required=True, parse_many=uscc_codes.check_column),
    Column(
        "重点领域",
        "area",
        required=True,
        parse=_choice(list(AREAS), "重点领域"),
        format=lambda v: dict(AREAS).get(v, v),
    ),
    Column(
        "类别",
        "tier",
        required=True,
        parse=_choice(list(KeyAreaListing.Tier.choices), "类别"),
        format=lambda v: dict(KeyAreaListing.Tier.choices).get(v, v),
    ),
    Column("列入理由", "reason", required=True, parse=_text(2000)),
    Column("列入日期", "listed_on", required=True, parse=_date),
]


def _read(path: Path, columns: list[Column], result: ImportResult) -> list[tuple[int, dict]]:
    """Every row as (row number, values); parse errors recorded in `result`."""
    out: list[tuple[int, dict]] = []
    with TableReader(path, columns) as table:
        for chunk in table.chunks(10_000):
            parsed, errors = tabular.parse_chunk(chunk, table.columns)
            result.total += len(chunk)
            result.add_errors(RowError(chunk.rows[i], h, r) for i, h, r in errors)
            bad = {i for i, _h, _r in errors}
            out += [
                (row, {f: parsed[f][i] for f in parsed})
                for i, row in enumerate(chunk.rows)
                if i not in bad
            ]
    return out


def _entities(user, rows: list[tuple[int, dict]], result: ImportResult) -> dict[str, Entity]:
    """The rows' entities the user may change; rows naming others get an error."""
    codes = {r["uscc"] for _n, r in rows}
    qs = Entity.objects.filter(uscc__in=codes)
    if user is not None:
        qs = Entity.objects.restrict(user, CHANGE).filter(uscc__in=codes)
    found = {e.uscc: e for e in qs}
    result.add_errors(
        RowError(n, "统一社会信用代码", "名录库中没有该主体，或不在您的管辖范围内")
        for n, r in rows
        if r["uscc"] not in found
    )
    return found


class _Rollback(Exception):
    pass


def _run(path, *, user, file_name, columns, label, object_type, write) -> ImportResult:
    path = Path(path)
    result = ImportResult(file_name=file_name or path.name, sha256=tabular.file_sha256(path))
    try:
        with transaction.atomic():
            rows = _read(path, columns, result)
            write(rows, result)
            if result.errors:
                raise _Rollback
            audit.record(
                user,
                A.IMPORT,
                object_type=object_type,
                object_repr=f"{label}导入：{result.file_name}"[:255],
                changes={"file": result.file_name, "sha256": result.sha256, **result.counts()},
            )
            result.committed = True
    except _Rollback:
        result.discard()
    except TableError as e:
        result.errors, result.error_rows = e.errors, {x.row for x in e.errors}
    result.errors.sort(key=lambda e: e.row)
    return result


# --- 重点领域企业清单 -----------------------------------------------------------------------------


def import_listings(
    path, *, user=None, file_name: str | None = None, skip_invalid=False, progress=None
) -> ImportResult:
    """Import key-area enterprise listings (a new listing per row; the entity's key tier
    follows). An entity already listed in the row's area is an error: remove it first.
    All or nothing (`skip_invalid` is not offered); runs as a job (risk.tasks)."""
    if user is not None and not allowed(user, ADD, KeyAreaListing):
        raise PermissionDenied("您没有调整重点领域企业清单的权限")

    def write(rows, result):
        entities = _entities(user, rows, result)
        active = set(
            KeyAreaListing.objects.filter(
                entity__in=entities.values(), removed_on__isnull=True
            ).values_list("entity_id", "area")
        )
        seen: dict[tuple, int] = {}
        today = timezone.localdate()
        for n, r in rows:
            entity = entities.get(r["uscc"])
            if entity is None:
                continue
            key = (entity.pk, r["area"])
            if key in active:
                result.add_errors(
                    [RowError(n, "重点领域", "该主体已列入此重点领域，请先移出原记录")]
                )
                continue
            if seen.setdefault(key, n) != n:
                result.add_errors(
                    [RowError(n, "重点领域", f"与第{seen[key]}行重复（同一主体和重点领域）")]
                )
                continue
            if r["listed_on"] > today:
                result.add_errors([RowError(n, "列入日期", "列入日期不能晚于今天")])
                continue
            if result.errors:
                continue
            data = {k: r[k] for k in ("area", "tier", "reason", "listed_on")}
            try:
                services.listing_create(user, data={"entity": entity, **data})
            except ValidationError as e:
                result.add_errors([RowError(n, "", "；".join(e.messages))])
                continue
            result.created += 1

    return _run(
        path,
        user=user,
        file_name=file_name,
        columns=LISTING_COLUMNS,
        label="重点领域企业清单",
        object_type="risk.keyarealisting",
        write=write,
    )


def listing_records(qs):
    for x in qs.select_related("entity"):
        yield (x.entity.uscc, x.area, x.tier, x.reason, x.listed_on)
