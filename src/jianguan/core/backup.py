"""Backup and restore of an installation: the database and every file under MEDIA_ROOT.

A backup is one tar file (gzip-compressed when its name ends in .gz or .tgz):

    manifest.json       format version, database vendor, created_at, the latest applied migration
                        per app, rows per model (checked again after a restore), file count
    database.sqlite3    SQLite: a consistent copy made with SQLite's online backup API
    database.dump       PostgreSQL: `pg_dump --format=custom`, of the same snapshot the manifest
                        counted
    files/...           MEDIA_ROOT: uploads, exports, draw proofs (part of the legal record)

Restore is all-or-nothing where the database allows it: SQLite's backup API replaces the live
database in one step; `pg_restore --single-transaction` rolls back on the first error. The files
are unpacked beside MEDIA_ROOT first and swapped in only after the database succeeded.

PostgreSQL's own tools are found on PATH; the connection reaches them through PGHOST, PGPORT,
PGUSER, PGPASSWORD and PGDATABASE, never on the command line (where `ps` would show it).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

FORMAT = "jianguan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PG_LOCK_TIMEOUT = "60s"  # a restore waits this long for running servers' locks, then gives up

Log = Callable[[str], None]


class BackupError(Exception):
    """Something the operator can fix; the message (Chinese) says what."""


class DatabaseNotEmpty(BackupError):
    """Restore would overwrite data and --yes was not given; `existing` says what is there."""

    def __init__(self, existing: list[tuple[str, int]]):
        super().__init__("当前数据库不为空")
        self.existing = existing


# --- what is in a database --------------------------------------------------------------------


def _model_tables() -> list[tuple[str, str]]:
    """(label, table) of every model with a table of its own, many-to-many tables included."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            out.append((meta.label, meta.db_table))
    return sorted(set(out))


def _summarize(query: Callable[[str], list], tables: set[str]) -> tuple[dict, dict]:
    """(latest applied migration per app, rows per model) through `query(sql) -> rows`."""
    migrations: dict[str, str] = {}
    if "django_migrations" in tables:
        for app, name in query("SELECT app, name FROM django_migrations"):
            if name > migrations.get(app, ""):
                migrations[app] = name
    counts = {
        label: query(f'SELECT COUNT(*) FROM "{table}"')[0][0]  # noqa: S608 (our own table names)
        for label, table in _model_tables()
        if table in tables
    }
    return dict(sorted(migrations.items())), counts


def database_summary(alias: str = DEFAULT_DB_ALIAS) -> tuple[dict, dict]:
    """(migrations, counts) of the live database."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:

        def query(sql: str) -> list:
            cursor.execute(sql)
            return cursor.fetchall()

        return _summarize(query, tables)


def _verbose(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except LookupError:
        return label


# --- backup -----------------------------------------------------------------------------------


def create_backup(
    target: str | Path, *, alias: str = DEFAULT_DB_ALIAS, overwrite: bool = False
) -> dict[str, Any]:
    """Write the backup file; returns its manifest. The file appears only when complete."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise BackupError(f"文件已存在：{target}（覆盖请加 --overwrite）")
    if not target.parent.is_dir():
        raise BackupError(f"目录不存在：{target.parent}")
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in DB_FILES:
        raise BackupError(f"不支持备份 {vendor} 数据库（只支持 SQLite 和 PostgreSQL）")

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".jianguan-backup-") as tmp:
        dump = Path(tmp) / DB_FILES[vendor]
        if vendor == "sqlite":
            migrations, counts = _sqlite_dump(alias, dump)
        else:
            migrations, counts = _pg_dump(alias, dump)
        media = _media_files()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "jianguan_version": _version(),
            "database": {"vendor": vendor, "file": dump.name},
            "migrations": migrations,
            "counts": counts,
            "files": {
                "count": len(media),
                "bytes": sum(path.stat().st_size for _, path in media),
            },
        }
        partial = Path(tmp) / "backup.partial"
        compressed = target.name.endswith((".gz", ".tgz"))
        with (
            tarfile.open(partial, "w:gz", compresslevel=6)
            if compressed
            else tarfile.open(partial, "w")
        ) as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(dump, arcname=dump.name)
            for rel, path in media:
                tar.add(path, arcname=f"{FILES}/{rel}", recursive=False)
        os.replace(partial, target)
    return manifest


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jianguan")
    except PackageNotFoundError:
        return ""


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _media_files() -> list[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file under MEDIA_ROOT; symlinks are skipped."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out.append((path.relative_to(root).as_posix(), path))
    return sorted(out)


def _sqlite_dump(alias: str, dest: Path) -> tuple[dict, dict]:
    """SQLite's online backup of the live database (consistent while others read and write)."""
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(dest)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        tables = {
            row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        return _summarize(lambda sql: copy.execute(sql).fetchall(), tables)
    except sqlite3.Error as e:
        raise BackupError(f"SQLite 备份失败：{e}") from e
    finally:
        copy.close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install "
            f"postgresql-client），版本不低于数据库服务器，并确保 {name} 在 PATH 中"
        )
    return path


def _pg_env(alias: str) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the connection of settings.DATABASES[alias]."""
    s = connections[alias].settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for var, value in [
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s.get("NAME")),
    ]:
        if value:
            env[var] = str(value)
    options = s.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if options.get(key):
            env["PG" + key.upper()] = str(options[key])
    env["PGAPPNAME"] = "jianguan-backup"
    return env


def _run(
    args: list[str], env: dict[str, str], what: str, after: str = ""
) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise BackupError(
            f"{what}失败{after}（{Path(args[0]).name} 退出码 {done.returncode}）：{detail}"
        )
    return done


def _pg_dump(alias: str, dest: Path) -> tuple[dict, dict]:
    """pg_dump of one exported snapshot, the same one the manifest's counts are taken from."""
    pg_dump = _tool("pg_dump")
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("不能在事务中备份")
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        summary = database_summary(alias)
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"],
            _pg_env(alias),
            "pg_dump 备份",
        )
    return summary


# --- restore ----------------------------------------------------------------------------------


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a backup file, checked for format; BackupError when it is not one."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    try:
        with tarfile.open(path, "r:*") as tar:
            return _manifest(tar, path)
    except (tarfile.TarError, OSError, EOFError) as e:
        raise BackupError(f"无法读取备份文件 {path}：{e}") from e


def _manifest(tar: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        raw = tar.extractfile(member)
        manifest = json.loads(raw.read().decode()) if raw else None
    except (KeyError, ValueError) as e:
        raise BackupError(f"{path} 不是 jianguan 备份文件（缺少或无法读取 {MANIFEST}）") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 不是 jianguan 备份文件")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {version} 比本程序支持的版本 {FORMAT_VERSION} 新：请先升级程序再恢复"
        )
    return manifest


def check_compatible(manifest: dict[str, Any], alias: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse a backup of another database vendor or of a newer program."""
    from django.db.migrations.loader import MigrationLoader

    theirs = (manifest.get("database") or {}).get("vendor")
    ours = connections[alias].vendor
    if theirs != ours:
        raise BackupError(
            f"这是 {VENDOR_NAMES.get(theirs, theirs)} 数据库的备份，当前数据库是 "
            f"{VENDOR_NAMES.get(ours, ours)}：不能跨数据库类型恢复。请恢复到同类数据库"
            f"（用 DATABASE_URL 指定），或在两边用导出/导入命令迁移数据。"
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    installed = {config.label for config in apps.get_app_configs()}
    newer = [
        f"{app}.{name}"
        for app, name in (manifest.get("migrations") or {}).items()
        if app in installed and (app, name) not in known
    ]
    if newer:
        raise BackupError(
            "备份来自更新版本的程序（本程序没有这些数据库迁移："
            + "、".join(newer)
            + "）：请先升级程序再恢复"
        )


def existing_data(alias: str = DEFAULT_DB_ALIAS) -> list[tuple[str, int]]:
    """(model description, rows) of every non-empty model table of the live database."""
    _, counts = database_summary(alias)
    rows = [(f"{_verbose(label)}（{label}）", n) for label, n in counts.items() if n]
    return sorted(rows, key=lambda row: -row[1])


def restore_backup(
    path: str | Path,
    *,
    alias: str = DEFAULT_DB_ALIAS,
    overwrite: bool = False,
    log: Log = lambda message: None,
) -> dict[str, Any]:
    """Replace the database and MEDIA_ROOT with the backup's; returns the manifest.

    Raises DatabaseNotEmpty (nothing changed) when the database holds data and `overwrite` is
    false, BackupError (nothing changed) when the backup does not fit this installation or the
    database refuses it.
    """
    path = Path(path)
    manifest = read_manifest(path)
    check_compatible(manifest, alias)
    existing = existing_data(alias)
    if existing and not overwrite:
        raise DatabaseNotEmpty(existing)
    vendor = manifest["database"]["vendor"]
    db_name = DB_FILES[vendor]
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".jianguan-restore-") as tmp:
        staging = Path(tmp)
        (staging / FILES).mkdir()
        file_count = _extract(path, staging, db_name)
        log(f"正在恢复数据库（{VENDOR_NAMES[vendor]}）……")
        if vendor == "sqlite":
            _sqlite_restore(alias, staging / db_name, manifest)
        else:
            _pg_restore(alias, staging / db_name, log)
        _swap_media(staging / FILES, media_root)
        log(f"已恢复文件 {file_count} 个到 {media_root}")

    from django.core.cache import cache

    cache.clear()  # dashboard counts and job progress of the old data
    _verify(manifest, alias)
    return manifest


def _extract(path: Path, staging: Path, db_name: str) -> int:
    """Unpack the database file and files/ into staging; only names a backup can hold."""
    try:
        with tarfile.open(path, "r:*") as tar:
            members = []
            files = 0
            for member in tar:
                name = PurePosixPath(member.name)
                if name.is_absolute() or ".." in name.parts:
                    raise BackupError(f"备份文件含有不安全的路径：{member.name}")
                if member.name in (MANIFEST, db_name):
                    members.append(member)
                elif name.parts[:1] == (FILES,) and (member.isfile() or member.isdir()):
                    members.append(member)
                    files += member.isfile()
                else:
                    raise BackupError(f"备份文件含有不应有的内容：{member.name}")
            if db_name not in {m.name for m in members}:
                raise BackupError(f"备份文件缺少数据库文件 {db_name}")
            # The "data" filter refuses absolute paths, "..", links out of the folder, devices.
            tar.extractall(staging, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise BackupError(f"无法解开备份文件 {path}：{e}") from e
    return files


def _sqlite_restore(alias: str, source: Path, manifest: dict[str, Any]) -> None:
    """Check the backup's database file, then copy it into the live database with the backup
    API: one step, atomic."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("不能在事务中恢复")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            check = src.execute("PRAGMA quick_check").fetchone()[0]
            tables = {
                row[0] for row in src.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            _, counts = _summarize(lambda sql: src.execute(sql).fetchall(), tables)
        except sqlite3.Error as e:
            check = str(e)
        if check != "ok":
            raise BackupError(f"备份中的数据库文件已损坏（{check}），数据库未改变")
        wrong = _mismatches(manifest, counts)
        if wrong:
            raise BackupError("备份中的数据库与清单不符，数据库未改变：" + "；".join(wrong))
        connection.ensure_connection()
        src.backup(connection.connection)
    except sqlite3.Error as e:
        raise BackupError(f"SQLite 恢复失败，数据库未改变：{e}") from e
    finally:
        src.close()
    if not connection.is_in_memory_db():
        connection.close()  # the next query opens a fresh connection (and its PRAGMAs)


def _pg_restore(alias: str, dump: Path, log: Log) -> None:
    pg_restore = _tool("pg_restore")
    env = _pg_env(alias)
    listing = _run([pg_restore, "--list", str(dump)], env, "读取备份目录", "，数据库未改变")
    in_dump = {
        line.split()[-2]
        for line in listing.stdout.splitlines()
        if not line.startswith(";") and " TABLE " in line and " TABLE DATA " not in line
    }
    left = sorted(set(connections[alias].introspection.table_names()) - in_dump)
    if left:
        log(
            "注意：以下数据表不在备份中，恢复后仍保留（建议恢复到空数据库）："
            + "、".join(left[:20])
            + ("……" if len(left) > 20 else "")
        )
    connections[alias].close()  # hold no locks while pg_restore drops and recreates
    env["PGOPTIONS"] = f"-c lock_timeout={PG_LOCK_TIMEOUT}"
    _run(
        [
            pg_restore,
            "--dbname=",  # empty: libpq takes the database from PGDATABASE
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(dump),
        ],
        env,
        "pg_restore 恢复",
        "，已整体回滚，数据库未改变",
    )


def _swap_media(new: Path, media_root: Path) -> None:
    """Put the restored files in place of MEDIA_ROOT; the old folder is removed afterwards."""
    old = None
    if media_root.exists():
        old = new.parent / "files.old"
        os.replace(media_root, old)
    try:
        os.replace(new, media_root)
    except OSError:
        if old is not None:
            os.replace(old, media_root)
        raise
    # `old` lies inside the staging folder, which is removed with it.


def _mismatches(manifest: dict[str, Any], counts: dict[str, int]) -> list[str]:
    return [
        f"{label}：清单 {n} 行，实际 {counts[label]} 行"
        for label, n in (manifest.get("counts") or {}).items()
        if label in counts and counts[label] != n
    ]


def _verify(manifest: dict[str, Any], alias: str) -> None:
    _, counts = database_summary(alias)
    wrong = _mismatches(manifest, counts)
    if wrong:
        raise BackupError("恢复后行数核对不符：" + "；".join(wrong))


def describe(manifest: dict[str, Any]) -> str:
    counts = manifest.get("counts") or {}
    files = manifest.get("files") or {}
    vendor = (manifest.get("database") or {}).get("vendor")
    return (
        f"{VENDOR_NAMES.get(vendor, vendor)} 数据库，{len(counts)} 类数据共 "
        f"{sum(counts.values())} 行，文件 {files.get('count', 0)} 个"
        f"（{files.get('bytes', 0) / 1024 / 1024:.1f} MB），备份于 {manifest.get('created_at')}"
    )
