"""Backup and restore (issue 6, item 5).

Rules checked: `jianguan backup FILE` writes one tar with the database (SQLite's online backup
API; PostgreSQL's pg_dump) and every file under MEDIA_ROOT (draw proofs are part of the legal
record); `jianguan restore FILE` into an empty database gives back every row of every model, the
same field values, the migration state and the files; a database that holds data is overwritten
only with --yes (and is told what would go); a backup of the other database vendor, of a newer
program, or a damaged or hostile file is refused with nothing changed; a restore that the
database refuses half-way leaves database and files as they were.

The round trips run the real commands in subprocesses on scratch databases: a SQLite file always,
and PostgreSQL when DATABASE_URL points at it (a scratch database with a unique name, dropped
after).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jianguan.core import backup
from jianguan.org.models import Unit

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))

MEDIA = {
    "draws/1/proof.json": '{"seed": "4f1c", "drawn": [3, 17, 42]}',
    "draws/1/roster.csv": "统一社会信用代码,名称\n91310101MA0000001X,上海某某有限公司\n",
    "imports/7/名录.xlsx": "not really xlsx",
}


class Site:
    """One installation for the subprocesses: its database URL and its var/ folder."""

    def __init__(self, database_url: str, var: Path):
        self.database_url = database_url
        self.var = var

    @property
    def media(self) -> Path:
        return self.var / "files"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "jianguan.settings.test",
            "DATABASE_URL": self.database_url,
            "JIANGUAN_VAR": str(self.var),
        }
        done = subprocess.run(  # noqa: S603 (our own interpreter and command)
            [sys.executable, "-m", "django", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done


def media_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def fill(site: Site) -> None:
    site.run("migrate", "-v0")
    site.run("seed_demo", "--entities", "120", "--seed", "3")
    for rel, text in MEDIA.items():
        path = site.media / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# --- comparing two databases, independently of the code under test ----------------------------


Query = Callable[[str], list]


def snapshot(query: Query, tables: list[str]) -> dict:
    """Rows per table plus a few field values that must survive byte for byte."""
    return {
        "counts": {t: query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables},
        "entities": query(
            "SELECT id, uscc, name, district_id, status FROM registry_entity ORDER BY id"
        ),
        "users": query("SELECT id, username, password, role, unit_id FROM org_user ORDER BY id"),
        "migrations": query("SELECT app, name FROM django_migrations ORDER BY app, name"),
    }


@contextmanager
def sqlite_query(path: Path) -> Iterator[tuple[Query, list[str]]]:
    db = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        yield (lambda sql: [tuple(r) for r in db.execute(sql).fetchall()]), tables
    finally:
        db.close()


def assert_every_model_compared(tables: list[str]) -> None:
    model_tables = {table for _, table in backup._model_tables()}
    assert model_tables <= set(tables), model_tables - set(tables)


def assert_same_site(source: Site, target: Site, before: dict, after: dict, manifest: dict):
    assert after["counts"] == before["counts"]
    assert after["entities"] == before["entities"] and len(after["entities"]) == 120
    assert after["users"] == before["users"] and after["users"]
    assert after["migrations"] == before["migrations"]
    assert media_files(target.media) == media_files(source.media)
    assert set(media_files(target.media)) == set(MEDIA)
    # The manifest's counts are the source's, model by model.
    tables = dict(backup._model_tables())
    for label, n in manifest["counts"].items():
        assert before["counts"][tables[label]] == n, label
    assert target.run("migrate", "--check").returncode == 0


def read_manifest(path: Path) -> dict:
    with tarfile.open(path, "r:*") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory) -> tuple[Site, Path]:
    """A filled SQLite installation and its backup (made once for the SQLite tests)."""
    folder = tmp_path_factory.mktemp("sqlite-source")
    source = Site(f"sqlite:///{folder / 'source.sqlite3'}", folder / "var")
    fill(source)
    archive = folder / "jianguan.tar.gz"
    out = source.run("backup", str(archive)).stdout
    assert "已备份到" in out and "文件 3 个" in out
    return source, archive


def test_sqlite_backup_restores_into_an_empty_database(sqlite_source, tmp_path):
    source, archive = sqlite_source
    target = Site(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path / "var-target")

    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and "database.sqlite3" in names
    assert {n for n in names if n.startswith("files/")} == {f"files/{rel}" for rel in MEDIA}
    manifest = read_manifest(archive)
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["migrations"]["registry"].startswith("00")
    assert manifest["counts"]["registry.Entity"] == 120
    assert manifest["files"]["count"] == 3 and manifest["created_at"]

    # A second backup to the same name is refused unless asked.
    again = source.run("backup", str(archive), check=False)
    assert again.returncode != 0 and "文件已存在" in again.stderr

    out = target.run("restore", str(archive)).stdout  # target.sqlite3 does not exist yet
    assert "已恢复" in out

    source_db = Path(urlsplit(source.database_url).path)
    with sqlite_query(source_db) as (query, tables):
        assert_every_model_compared(tables)
        before = snapshot(query, tables)
    with sqlite_query(tmp_path / "target.sqlite3") as (query, tables_after):
        assert tables_after == tables
        after = snapshot(query, tables)
    assert_same_site(source, target, before, after, manifest)

    # Now the target holds data: without --yes nothing happens and the operator is told what
    # would be overwritten; with --yes the files left over from before are replaced too.
    (target.media / "stray.txt").write_text("written after the backup")
    refused = target.run("restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr and "市场主体（registry.Entity）：120 行" in refused.stderr
    assert (target.media / "stray.txt").exists()
    target.run("restore", str(archive), "--yes")
    assert media_files(target.media) == media_files(source.media)


def test_sqlite_restore_of_a_damaged_database_file_changes_nothing(sqlite_source, tmp_path):
    source, archive = sqlite_source
    target = Site(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path / "var-target")
    target.run("restore", str(archive))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as good, tarfile.open(damaged, "w") as bad:
        for member in good:
            data = good.extractfile(member).read()
            if member.name == "database.sqlite3":
                data = data[:4096] + b"\0" * (len(data) - 4096)  # pages gone, header kept
            member.size = len(data)
            bad.addfile(member, io.BytesIO(data))
    (target.media / "draws/1/proof.json").write_text("the current proof")
    with sqlite_query(tmp_path / "target.sqlite3") as (query, tables):
        before = snapshot(query, tables)

    done = target.run("restore", str(damaged), "--yes", check=False)
    assert done.returncode != 0 and "数据库未改变" in done.stderr
    with sqlite_query(tmp_path / "target.sqlite3") as (query, tables):
        assert snapshot(query, tables) == before
    assert (target.media / "draws/1/proof.json").read_text() == "the current proof"


# --- PostgreSQL -------------------------------------------------------------------------------


@contextmanager
def scratch_postgres(tag: str) -> Iterator[str]:
    """A new empty database on the server of DATABASE_URL; its URL; dropped afterwards."""
    import psycopg

    name = f"jg_backup_{tag}_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(DATABASE_URL)
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_query(url: str) -> Iterator[tuple[Query, list[str]]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]

        def query(sql: str) -> list:
            cursor = db.execute(sql)
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []

        yield query, tables


def sequences(query: Query) -> list:
    return query(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
        "ORDER BY sequencename"
    )


@pytest.mark.postgresql  # the PostgreSQL round trip
def test_postgres_backup_restores_into_an_empty_database(tmp_path):
    with scratch_postgres("src") as source_url, scratch_postgres("dst") as target_url:
        source = Site(source_url, tmp_path / "var-source")
        target = Site(target_url, tmp_path / "var-target")
        fill(source)
        archive = tmp_path / "jianguan.tar"
        source.run("backup", str(archive))
        with tarfile.open(archive) as tar:
            assert "database.dump" in tar.getnames()
        manifest = read_manifest(archive)
        assert manifest["database"]["vendor"] == "postgresql"

        assert "已恢复" in target.run("restore", str(archive)).stdout

        with postgres_query(source_url) as (query, tables):
            assert_every_model_compared(tables)
            before = snapshot(query, tables)
            before_sequences = sequences(query)
        with postgres_query(target_url) as (query, tables_after):
            assert tables_after == tables
            after = snapshot(query, tables)
            # New rows continue the numbering: no key collides with a restored one.
            assert sequences(query) == before_sequences
        assert_same_site(source, target, before, after, manifest)

        # A restore the database refuses half-way (a view of the target depends on a table
        # pg_restore must drop) is rolled back whole: data and files stay as they were.
        with postgres_query(target_url) as (query, tables):
            query("CREATE VIEW local_report AS SELECT id, name FROM registry_entity")
            query(
                "UPDATE registry_entity SET name = '本地修改' WHERE id = (SELECT MIN(id) FROM registry_entity)"
            )
            before_failure = snapshot(query, tables)
        (target.media / "draws/1/proof.json").write_text("the current proof")
        done = target.run("restore", str(archive), "--yes", check=False)
        assert done.returncode != 0 and "数据库未改变" in done.stderr
        with postgres_query(target_url) as (query, tables):
            assert snapshot(query, tables) == before_failure
        assert (target.media / "draws/1/proof.json").read_text() == "the current proof"


def test_postgres_tools_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="找不到 pg_dump：请安装 PostgreSQL 客户端"):
        backup._tool("pg_dump")


def test_postgres_connection_goes_through_the_environment():
    """Host, port, user, password and database reach pg_dump/pg_restore as PG* variables."""
    from django.db import connections

    conn = connections["default"]
    saved = dict(conn.settings_dict)
    conn.settings_dict.update(
        HOST="db.internal", PORT="6543", USER="jg", PASSWORD="s3cret", NAME="jianguan"
    )
    try:
        env = backup._pg_env("default")
    finally:
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)
    assert env["PGHOST"] == "db.internal" and env["PGPORT"] == "6543"
    assert env["PGUSER"] == "jg" and env["PGPASSWORD"] == "s3cret"
    assert env["PGDATABASE"] == "jianguan"


# --- refusals, in process (nothing is touched) ------------------------------------------------


def forged_backup(path: Path, manifest: dict, extra: dict[str, bytes] | None = None) -> Path:
    vendor = manifest.get("database", {}).get("vendor", connection.vendor)
    members = {
        "manifest.json": json.dumps(manifest).encode(),
        backup.DB_FILES.get(vendor, "database.sqlite3"): b"",
        **(extra or {}),
    }
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def manifest_for(vendor: str, **fields) -> dict:
    return {
        "format": backup.FORMAT,
        "format_version": backup.FORMAT_VERSION,
        "created_at": "2026-11-23T10:00:00+08:00",
        "database": {"vendor": vendor},
        "migrations": {},
        "counts": {},
        "files": {"count": 0, "bytes": 0},
        **fields,
    }


@pytest.mark.django_db
def test_a_backup_of_the_other_database_vendor_is_refused(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = forged_backup(tmp_path / "other.tar", manifest_for(other))
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="不能跨数据库类型恢复"):
        call_command("restore", str(path), "--yes")
    assert Unit.objects.count() == units


@pytest.mark.django_db
def test_a_backup_of_a_newer_program_is_refused(tmp_path):
    path = forged_backup(
        tmp_path / "newer.tar",
        manifest_for(connection.vendor, migrations={"registry": "9999_from_the_future"}),
    )
    with pytest.raises(CommandError, match="更新版本的程序.*registry.9999_from_the_future"):
        call_command("restore", str(path), "--yes")
    newer_format = forged_backup(
        tmp_path / "format.tar", manifest_for(connection.vendor, format_version=99)
    )
    with pytest.raises(CommandError, match="请先升级程序"):
        call_command("restore", str(newer_format), "--yes")


@pytest.mark.django_db
def test_a_non_empty_database_is_not_overwritten_without_yes(tmp_path, capsys):
    path = forged_backup(tmp_path / "ok.tar", manifest_for(connection.vendor))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert "机构（org.Unit）" in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["../../outside.txt", "/etc/cron.d/jianguan", "files/../../outside.txt", "secret.txt"]
)
def test_hostile_member_names_are_refused_before_anything_changes(tmp_path, name, settings):
    settings.MEDIA_ROOT = tmp_path / "var" / "files"
    path = forged_backup(
        tmp_path / "hostile.tar", manifest_for(connection.vendor), {name: b"pwned"}
    )
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="备份文件含有"):
        call_command("restore", str(path), "--yes")
    assert Unit.objects.count() == units
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "hostile.tar"]
    assert written == []


def test_not_a_backup_is_refused(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar file at all" * 100)
    with pytest.raises(backup.BackupError, match="无法读取备份文件"):
        backup.read_manifest(junk)
    with pytest.raises(backup.BackupError, match="备份文件不存在"):
        backup.read_manifest(tmp_path / "missing.tar")
    empty = tmp_path / "empty.tar"
    with tarfile.open(empty, "w"):
        pass
    with pytest.raises(backup.BackupError, match="不是 jianguan 备份文件"):
        backup.read_manifest(empty)
