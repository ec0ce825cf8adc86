"""`jianguan backup FILE`: the database and MEDIA_ROOT in one tar file (see core/backup.py)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from jianguan.core import backup


class Command(BaseCommand):
    help = "备份数据库和上传/生成的文件（含抽取证明）到一个 tar 文件；文件名以 .gz 结尾时压缩"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件，如 jianguan-20261123.tar.gz")
        parser.add_argument("--overwrite", action="store_true", help="文件已存在时覆盖")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="settings.DATABASES 中的数据库别名"
        )

    def handle(self, *args, file: str, overwrite: bool, database: str, **options):
        started = time.monotonic()
        try:
            manifest = backup.create_backup(file, alias=database, overwrite=overwrite)
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            f"已备份到 {file}：{backup.describe(manifest)}（用时 {time.monotonic() - started:.1f} 秒）"
        )
