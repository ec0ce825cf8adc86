"""The qualification register in and out (资质认定登记), in the layout bureaus exchange:

    统一社会信用代码, 资质认定证书编号, 取得方式, 发证日期, 有效期至, 检验检测领域, 资质认定范围
    [, 状态, 状态变更日期]

Import records certificates granted (a certificate already registered under the same number is
left as it is); 状态 and 状态变更日期 are written by the export and ignored on import, where a
certificate past its expiry is recorded as expired. All or nothing; every error names its row,
column and reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit, tabular, uscc
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
from jianguan.registry.models import TESTING_FIELDS, Entity

from . import services
from .models import Qualification, Route
from .proficiency import _text

ROUTES = {str(label): code for code, label in Route.choices} | {
    "告知承诺": "commitment",
    "一般程序": "review",
}
STATUS_LABELS = {code: str(label) for code, label in Qualification.Status.choices}


def _route(text: str) -> str:
    if text not in ROUTES:
        raise ParseError(_("取得方式应为“告知承诺”或“一般程序”，实际为“%s”") % text)
    return ROUTES[text]


def _fields(text: str) -> int:
    labels = {str(label): code for code, label in TESTING_FIELDS.choices}
    parts = [
        p.strip() for p in text.replace("，", "、").replace(",", "、").split("、") if p.strip()
    ]
    if unknown := [p for p in parts if p not in labels]:
        raise ParseError(_("不认识的检验检测领域：%s") % "、".join(unknown))
    return TESTING_FIELDS.mask([labels[p] for p in parts])


def _status(text: str) -> str:
    if text and text not in STATUS_LABELS.values():
        raise ParseError(_("状态应为：%s") % "、".join(STATUS_LABELS.values()))
    return text


COLUMNS = [
    Column("统一社会信用代码", "uscc", required=True, parse_many=uscc.check_column),
    Column("资质认定证书编号", "cert_no", required=True, parse=_text(32)),
    Column(
        "取得方式",
        "route",
        required=True,
        parse=_route,
        format=lambda v: "告知承诺" if v == "commitment" else "一般程序",
    ),
    Column("发证日期", "issued_on", required=True, parse=tabular.parse_date),
    Column("有效期至", "expires_on", parse=tabular.parse_date),
    Column(
        "检验检测领域",
        "fields",
        parse=_fields,
        format=lambda m: "、".join(TESTING_FIELDS.labels(m)),
    ),
    Column("资质认定范围", "scope", required=True, parse=_text(5000)),
    Column("状态", "status", parse=_status, format=lambda s: STATUS_LABELS.get(s, s)),
    Column("状态变更日期", "status_on", parse=tabular.parse_date),
]


def export_register(target, qs, fmt: str | None = None) -> int:
    records = (
        (
            q.entity.uscc,
            q.cert_no,
            q.route,
            q.issued_on,
            q.expires_on,
            q.fields,
            q.scope,
            q.status,
            q.status_on,
        )
        for q in qs.select_related("entity").iterator(chunk_size=2000)
    )
    return tabular.write_table(target, COLUMNS, records, fmt)


class _Rollback(Exception):
    pass


def import_register(
    path, *, user=None, file_name: str | None = None, skip_invalid: bool = False, progress=None
) -> ImportResult:
    """Record the file's certificates; any error and nothing is written."""
    del skip_invalid  # legal records are imported whole
    if user is not None and not allowed(user, ADD, Qualification):
        raise PermissionDenied(_("您没有登记资质认定的权限"))
    path = Path(path)
    progress = progress or (lambda *a: None)
    result = ImportResult(file_name=file_name or path.name, sha256=tabular.file_sha256(path))
    try:
        with transaction.atomic():
            _write(path, user, result, progress)
            if result.errors:
                raise _Rollback
            audit.record(
                user,
                AuditEvent.Action.IMPORT,
                object_type="testing.qualification",
                object_repr=_("资质认定登记导入：%s") % result.file_name,
                changes={"file": result.file_name, "sha256": result.sha256, **result.counts()},
            )
            result.committed = True
    except _Rollback:
        result.discard()
    except TableError as e:
        result.errors, result.error_rows = e.errors, {x.row for x in e.errors}
    result.errors.sort(key=lambda e: e.row)
    return result


def _write(path: Path, user, result: ImportResult, progress) -> None:
    today = timezone.localdate()
    with TableReader(path, COLUMNS) as table:
        for chunk in table.chunks(5000):
            parsed, errors = tabular.parse_chunk(chunk, table.columns)
            result.total += len(chunk)
            result.add_errors(RowError(chunk.rows[i], h, r) for i, h, r in errors)
            bad = {i for i, _h, _r in errors}
            codes = {parsed["uscc"][i] for i in range(len(chunk)) if i not in bad}
            bodies = Entity.objects.filter(uscc__in=codes, testing_body__isnull=False)
            if user is not None:
                bodies = bodies.filter(pk__in=Entity.objects.restrict(user, CHANGE).values("pk"))
            entity_of = {e.uscc: e for e in bodies}
            known = set(
                Qualification.objects.filter(cert_no__in=parsed["cert_no"]).values_list(
                    "cert_no", flat=True
                )
            )
            for i, n in enumerate(chunk.rows):
                if i in bad:
                    continue
                _row(user, n, {f: parsed[f][i] for f in parsed}, entity_of, known, today, result)
            progress(result.total, 0, _("登记"))


def _row(user, n, r, entity_of, known, today: dt.date, result: ImportResult) -> None:
    entity = entity_of.get(r["uscc"])
    if entity is None:
        result.add_errors(
            [RowError(n, "统一社会信用代码", _("不是名录库中的检验检测机构，或不在您的管辖范围内"))]
        )
        return
    if r["cert_no"] in known:
        result.unchanged += 1
        return
    if result.errors:
        return  # nothing will be written: only collect the errors
    data = {k: r.get(k) for k in ("cert_no", "route", "issued_on", "expires_on", "scope")}
    data["fields"] = r.get("fields") or 0
    try:
        with transaction.atomic():
            q = services.qualification_grant(user=user, entity=entity, data=data)
            if q.expires_on < today:
                services.qualification_status(
                    user=user,
                    qualification=q,
                    status=Qualification.Status.EXPIRED,
                    on=q.expires_on + dt.timedelta(days=1),
                    reason=_("有效期届满"),
                )
    except ValidationError as e:
        result.add_errors([RowError(n, "", "；".join(e.messages))])
        return
    known.add(r["cert_no"])
    result.created += 1
