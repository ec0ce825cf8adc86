"""Write a DemoCity (city.py) into the database or into an import file.

PostgreSQL gets COPY (millions of rows in minutes); SQLite gets executemany in one transaction.
Rows carry explicit ids (next free id + the generator's index), so testing bodies, inspectors'
expertise and conflict declarations refer to their entities without reading ids back.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone, translation

from jianguan.core import audit
from jianguan.org import units
from jianguan.org.models import Unit, User
from jianguan.personnel.models import ConflictDeclaration, Expert, Expertise, Inspector
from jianguan.registry.models import DOMAINS, Entity, TestingBody

from .city import DemoCity, EntityChunk, People

PASSWORD_FILE = "demo_password.txt"  # noqa: S105 (a file name)
# fmt: off
FILE_HEADERS = [
    "统一社会信用代码", "名称", "所属区", "主体类型", "所属所", "住所", "行业代码", "成立日期",
    "注册资本（万元）", "法定代表人", "登记状态", "监管领域", "重点领域类别",
]
# fmt: on
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header

Progress = Callable[[int, int], None]


class DemoError(Exception):
    """Something the operator must fix; the message is for them (Chinese)."""


@dataclass
class Summary:
    entities: Counter = field(default_factory=Counter)  # by entity type
    risk: Counter = field(default_factory=Counter)
    tiers: Counter = field(default_factory=Counter)
    testing_bodies: int = 0
    inspectors: int = 0
    expired_certs: int = 0
    experts: int = 0
    conflicts: int = 0
    users: list[str] = field(default_factory=list)

    def add(self, chunk: EntityChunk) -> None:
        for counter, key in (
            (self.entities, "entity_type"),
            (self.risk, "risk_class"),
            (self.tiers, "key_tier"),
        ):
            values, counts = np.unique(chunk.cols[key], return_counts=True)
            counter.update(dict(zip(values.tolist(), counts.tolist(), strict=True)))
        self.testing_bodies += len(chunk.testing["offset"])


# ----------------------------------------------------------------------------------------------
# Roster state


def roster_contents() -> str:
    """What the rosters hold, in words ("" when empty)."""
    parts = [
        f"{label} {model.objects.count():,} {unit}"
        for model, label, unit in (
            (Entity, "市场主体", "户"),
            (Inspector, "执法检查人员", "名"),
            (Expert, "专家", "名"),
        )
        if model.objects.exists()
    ]
    return "、".join(parts)


ROSTER_MODELS = (
    ConflictDeclaration,
    Inspector.expertise.through,
    Inspector,
    Expert,
    TestingBody,
    Entity,
)


def clear_roster() -> None:
    """Delete every entity, testing body, inspector, expert and conflict declaration."""
    tables = [m._meta.db_table for m in ROSTER_MODELS]
    try:
        with transaction.atomic():
            if not (connection.vendor == "postgresql" and _truncate(tables)):
                with connection.cursor() as cur:
                    for table in tables:  # one statement each: no per-row cascade collection
                        cur.execute(f"DELETE FROM {table}")
            connection.check_constraints()  # foreign keys are deferred: ask now, not at commit
    except IntegrityError as e:
        raise DemoError(
            "名录数据已被其他记录（如抽查、检查记录）引用，不能重置；请换一个空数据库。"
        ) from e


def _truncate(tables: list[str]) -> bool:
    """TRUNCATE is instant at millions of rows, but refuses while any other table (even an
    empty one) references these; then the caller deletes instead."""
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)}")
    except DatabaseError:
        return False
    return True


def demo_password() -> str:
    """The demo accounts' password: made on first use, kept (mode 600) under JIANGUAN_VAR."""
    path = Path(settings.VAR_DIR) / PASSWORD_FILE
    if path.exists() and (text := path.read_text().strip()):
        return text
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    path.chmod(0o600)
    return password


def password_path() -> Path:
    return Path(settings.VAR_DIR) / PASSWORD_FILE


# ----------------------------------------------------------------------------------------------
# Database


@dataclass
class _Ids:
    entity: int  # id of entity index 0
    inspector: int
    expert: int
    district: np.ndarray  # unit id by district index
    station: np.ndarray  # unit id by (district index, station index)
    unit: dict[str, int]
    expertise: dict[str, int]

    @classmethod
    def load(cls) -> _Ids:
        unit = dict(Unit.objects.values_list("code", "id"))
        width = max(len(d[4]) for d in units.DISTRICTS)
        station = np.zeros((len(units.DISTRICTS), width), dtype=np.int64)
        for d, (code, *_rest, stations) in enumerate(units.DISTRICTS):
            station[d, : len(stations)] = [
                unit[units.station_code(code, s + 1)] for s in range(len(stations))
            ]
        return cls(
            entity=_next_id(Entity),
            inspector=_next_id(Inspector),
            expert=_next_id(Expert),
            district=np.array([unit[d[0]] for d in units.DISTRICTS], dtype=np.int64),
            station=station,
            unit=unit,
            expertise=dict(Expertise.objects.values_list("code", "id")),
        )


def _next_id(model: type[Model]) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def seed(city: DemoCity, *, reset: bool = False, progress: Progress | None = None) -> Summary:
    """Write the whole city (after emptying the rosters if `reset`) in one transaction: never
    a half-seeded or emptied-but-not-refilled roster."""
    summary = Summary()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic():
        if reset:
            clear_roster()
        ids = _Ids.load()
        with _indexes_deferred(Entity):
            for chunk in city.entity_chunks():
                _write_entities(chunk, ids, now)
                _write_testing_bodies(chunk, ids)
                summary.add(chunk)
                if progress:
                    progress(chunk.start + len(chunk), city.n)
        people = city.people()
        _write_people(people, ids, now)
        summary.inspectors, summary.experts = len(people.inspectors), len(people.experts)
        summary.conflicts = len(people.conflicts)
        summary.expired_certs = sum(p["cert_expires_on"] < city.today for p in people.inspectors)
        _reset_sequences()
        summary.users = _write_users(people, ids, city.today)
        audit.record(
            "演示数据",
            "import",
            object_type=Entity._meta.label_lower,
            object_repr="演示数据",
            note=f"seed_demo：市场主体 {city.n} 户，随机种子 {city.seed}",
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {Entity._meta.db_table}")  # the draw plans on fresh statistics
    return summary


@contextmanager
def _indexes_deferred(model: type[Model]) -> Iterator[None]:
    """On PostgreSQL, load an empty table without its secondary indexes, unique and foreign
    keys, then rebuild them (as pg_restore does): ~5x faster at millions of rows. Inside the
    caller's transaction, so a failure leaves the schema as it was; a duplicate code fails
    loudly when the unique constraint comes back."""
    table = model._meta.db_table
    if connection.vendor != "postgresql" or model.objects.exists():
        yield
        return
    connection.check_constraints()  # fire pending deferred checks: ALTER refuses while any wait
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
            [table],
        )
        indexes = cur.fetchall()
        for name, _ in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cur.execute(definition)
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _copy_or_insert(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                list(rows),
            )


# fmt: off
ENTITY_COLUMNS = [
    "id", "uscc", "name", "entity_type", "region_code", "district_id", "station_id", "address",
    "industry_code", "status", "established_on", "capital_wan", "legal_rep", "domains", "key_tier",
    "risk_class", "created_at", "updated_at",
]
TESTING_BODY_COLUMNS = [
    "entity_id", "cert_no", "scope", "cert_issued_on", "cert_expires_on", "by_commitment", "fields",
]
INSPECTOR_COLUMNS = [
    "id", "name", "staff_no", "unit_id", "cert_no", "cert_expires_on", "active", "inactive_since",
    "updated_at",
]
EXPERT_COLUMNS = [
    "id", "name", "field_id", "title", "employer", "employer_uscc", "pledge_signed_on", "active",
    "updated_at",
]
CONFLICT_COLUMNS = [
    "inspector_id", "expert_id", "entity_id", "reason", "valid_from", "valid_to", "created_at",
]
# fmt: on


def _entity_columns(chunk: EntityChunk, ids: _Ids) -> list[np.ndarray]:
    c = chunk.cols
    return [
        ids.entity + chunk.start + np.arange(len(chunk), dtype=np.int64),
        c["uscc"],
        c["name"],
        c["entity_type"],
        c["region_code"],
        ids.district[c["district"]],
        ids.station[c["district"], c["station"]],
        c["address"],
        c["industry_code"],
        c["status"],
        np.datetime_as_string(c["established_on"]),
        c["capital_wan"],
        c["legal_rep"],
        c["domains"],
        c["key_tier"],
        c["risk_class"],
    ]


def _write_entities(chunk: EntityChunk, ids: _Ids, now) -> None:
    cols = _entity_columns(chunk, ids)
    table = Entity._meta.db_table
    if connection.vendor != "postgresql":
        values = [col.tolist() for col in cols]
        values[11] = [None if v < 0 else v for v in values[11]]  # capital: -1 is none
        rows = zip(*values, itertools.repeat(now), itertools.repeat(now), strict=False)
        _copy_or_insert(table, ENTITY_COLUMNS, rows)
        return
    # COPY text: tab-separated, \N for NULL. Generated text never holds tabs, newlines or
    # backslashes, so no escaping is needed.
    text = [col.astype(str).tolist() if col.dtype.kind in "iu" else col.tolist() for col in cols]
    text[11] = ["\\N" if v == "-1" else v for v in text[11]]
    stamp = itertools.repeat(str(now))
    body = "\n".join(map("\t".join, zip(*text, stamp, stamp, strict=False))) + "\n"
    with (
        connection.cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(ENTITY_COLUMNS)}) FROM STDIN") as copy,
    ):
        copy.write(body)


def _write_testing_bodies(chunk: EntityChunk, ids: _Ids) -> None:
    t = chunk.testing
    entity_ids = (ids.entity + chunk.start + t["offset"]).tolist()
    rows = zip(
        entity_ids,
        t["cert_no"].tolist(),
        t["scope"].tolist(),
        np.datetime_as_string(t["cert_issued_on"]).tolist(),
        np.datetime_as_string(t["cert_expires_on"]).tolist(),
        t["by_commitment"].tolist(),
        t["fields"].tolist(),
        strict=True,
    )
    _copy_or_insert(TestingBody._meta.db_table, TESTING_BODY_COLUMNS, rows)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _write_people(people: People, ids: _Ids, now) -> None:
    _copy_or_insert(
        Inspector._meta.db_table,
        INSPECTOR_COLUMNS,
        (
            (ids.inspector + i, p["name"], p["staff_no"], ids.unit[p["unit"]], p["cert_no"],
             _iso(p["cert_expires_on"]), p["active"], _iso(p["inactive_since"]), now)
            for i, p in enumerate(people.inspectors)
        ),
    )  # fmt: skip
    through = Inspector.expertise.through
    _copy_or_insert(
        through._meta.db_table,
        [through._meta.get_field("inspector").column, through._meta.get_field("expertise").column],
        (
            (ids.inspector + i, ids.expertise[code])
            for i, p in enumerate(people.inspectors)
            for code in p["expertise"]
            if code in ids.expertise
        ),
    )
    _copy_or_insert(
        Expert._meta.db_table,
        EXPERT_COLUMNS,
        (
            (ids.expert + i, e["name"], ids.expertise[e["field"]], e["title"], e["employer"],
             e["employer_uscc"], _iso(e["pledge_signed_on"]), e["active"], now)
            for i, e in enumerate(people.experts)
        ),
    )  # fmt: skip
    _copy_or_insert(
        ConflictDeclaration._meta.db_table,
        CONFLICT_COLUMNS,
        (
            (ids.inspector + c["person"] if c["kind"] == "inspector" else None,
             ids.expert + c["person"] if c["kind"] == "expert" else None,
             ids.entity + c["entity"], c["reason"], _iso(c["valid_from"]), _iso(c["valid_to"]), now)
            for c in people.conflicts
        ),
    )  # fmt: skip


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; SQLite keeps up by itself."""
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Entity, Inspector, Expert]):
            cur.execute(sql)


# ----------------------------------------------------------------------------------------------
# Accounts


def _write_users(people: People, ids: _Ids, today: dt.date) -> list[str]:
    """City admin, one admin per district, one station inspector per district; one password."""
    city = Unit.objects.get(code=units.CITY[0])
    admin = _upsert_user("admin", city, User.Role.CITY_ADMIN, "演示管理员", superuser=True)
    made = [admin]
    for code, _name, short, *_rest in units.DISTRICTS:
        district = Unit.objects.get(code=code)
        made.append(
            _upsert_user(
                f"admin_{code.lower()}", district, User.Role.DISTRICT_ADMIN, f"{short}管理员"
            )
        )
    for d, (code, *_rest) in enumerate(units.DISTRICTS):
        i = _first_qualified(people, d, today)
        if i is not None:
            p = people.inspectors[i]
            unit = Unit.objects.get(code=p["unit"])
            user = _upsert_user(
                f"inspector_{code.lower()}", unit, User.Role.STATION_INSPECTOR, p["name"]
            )
            Inspector.objects.filter(pk=ids.inspector + i).update(user=user)
            made.append(user)
    # One hash for all: hashing is deliberately slow, and the demo shares one password anyway.
    User.objects.filter(pk__in=[u.pk for u in made]).update(password=make_password(demo_password()))
    return [u.username for u in made]


def _first_qualified(people: People, district: int, today: dt.date) -> int | None:
    for i, p in enumerate(people.inspectors):
        if (
            p["district"] == district
            and p["active"]
            and p["cert_expires_on"] >= today
            and not p["unit"].endswith("-T01")
        ):
            return i
    return None


def _upsert_user(username: str, unit: Unit, role: str, name: str, superuser: bool = False) -> User:
    # Chinese names: family name (one character here) in last_name, see User.get_full_name.
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "unit": unit, "role": role, "last_name": name[:1], "first_name": name[1:],
            "is_active": True, "is_staff": superuser, "is_superuser": superuser,
        },
    )  # fmt: skip
    return user


# ----------------------------------------------------------------------------------------------
# Import file


def write_file(city: DemoCity, path: Path, *, progress: Progress | None = None) -> int:
    """Write the entities as an import file (.csv or .xlsx) with the import format's headers."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DemoError(f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx")
    if suffix == ".xlsx" and city.n > XLSX_MAX_ROWS:
        raise DemoError(f"xlsx 文件最多 {XLSX_MAX_ROWS:,} 行；{city.n:,} 户请写成 .csv")
    rows = _file_rows(city, progress)
    try:
        (_write_csv if suffix == ".csv" else _write_xlsx)(path, rows)
    except FileNotFoundError as e:
        raise DemoError(f"无法写入文件 {path}：目录不存在") from e
    except PermissionError as e:
        raise DemoError(f"无法写入文件 {path}：没有写入权限") from e
    except OSError as e:
        raise DemoError(f"无法写入文件 {path}：{e.strerror or e}") from e
    return city.n


def _file_rows(city: DemoCity, progress: Progress | None) -> Iterator[tuple]:
    with translation.override("zh-hans"):
        labels = {
            "entity_type": {t.value: str(t.label) for t in Entity.Type},
            "status": {s.value: str(s.label) for s in Entity.Status},
            "key_tier": {t.value: (str(t.label) if t.value else "") for t in Entity.Tier},
        }
    district = np.array([d[2] for d in units.DISTRICTS], dtype=object)  # short name: 黄浦区
    width = max(len(d[4]) for d in units.DISTRICTS)
    station = np.full((len(units.DISTRICTS), width), "", dtype=object)
    for i, (_code, _name, short, _region, stations) in enumerate(units.DISTRICTS):
        station[i, : len(stations)] = [f"{short}{s}市场监管所" for s in stations]  # = Unit.name
    for chunk in city.entity_chunks():
        c = chunk.cols
        masks, inverse = np.unique(c["domains"], return_inverse=True)
        domains = np.array([DOMAINS.format(int(m)) for m in masks], dtype=object)[inverse]
        capital = np.where(c["capital_wan"] < 0, None, c["capital_wan"].astype(object))
        yield from zip(
            c["uscc"].tolist(),
            c["name"].tolist(),
            district[c["district"]].tolist(),
            [labels["entity_type"][v] for v in c["entity_type"].tolist()],
            station[c["district"], c["station"]].tolist(),
            c["address"].tolist(),
            c["industry_code"].tolist(),
            np.datetime_as_string(c["established_on"]).tolist(),
            capital.tolist(),
            c["legal_rep"].tolist(),
            [labels["status"][v] for v in c["status"].tolist()],
            domains.tolist(),
            [labels["key_tier"][v] for v in c["key_tier"].tolist()],
            strict=True,
        )
        if progress:
            progress(chunk.start + len(chunk), city.n)


def _write_csv(path: Path, rows: Iterable[list]) -> None:
    # UTF-8 with BOM: Excel opens it as Chinese text.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FILE_HEADERS)
        writer.writerows(rows)


def _write_xlsx(path: Path, rows: Iterable[list]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("市场主体")
    sheet.append(FILE_HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
