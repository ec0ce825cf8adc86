"""`jianguan restore FILE [--yes]`: put a backup back, database and files (see core/backup.py).

Stop the web server and the background worker first. A database that holds data is overwritten
only with --yes; a backup of another database vendor or of a newer program is refused.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from jianguan.core import backup

SHOWN = 15


class Command(BaseCommand):
    help = "从 jianguan backup 生成的文件恢复数据库和文件；数据库不为空时需加 --yes"

    def add_arguments(self, parser):
        parser.add_argument("file", help="jianguan backup 生成的备份文件")
        parser.add_argument(
            "--yes", action="store_true", help="确认覆盖当前数据库中的数据和 MEDIA_ROOT 下的文件"
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="settings.DATABASES 中的数据库别名"
        )

    def handle(self, *args, file: str, yes: bool, database: str, **options):
        started = time.monotonic()
        try:
            manifest = backup.read_manifest(file)
            self.stdout.write(f"备份内容：{backup.describe(manifest)}")
            manifest = backup.restore_backup(
                file, alias=database, overwrite=yes, log=self.stdout.write
            )
        except backup.DatabaseNotEmpty as e:
            self.stderr.write("当前数据库已有数据，恢复将覆盖（删除）：")
            for what, rows in e.existing[:SHOWN]:
                self.stderr.write(f"  {what}：{rows} 行")
            if len(e.existing) > SHOWN:
                self.stderr.write(f"  ……共 {len(e.existing)} 类数据")
            self.stderr.write("以及 MEDIA_ROOT 下的全部文件。")
            raise CommandError(
                "未恢复：数据库不为空。确认覆盖请加 --yes（建议先用 jianguan backup 备份当前数据）"
            ) from e
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            f"已恢复：{backup.describe(manifest)}（用时 {time.monotonic() - started:.1f} 秒）"
        )
        if _unapplied(database):
            self.stdout.write("备份来自较早的版本：请运行 jianguan migrate 升级数据库结构。")


def _unapplied(alias: str) -> bool:
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
