"""`jianguan verify_draw DIR`: recompute a draw from its files alone; exit 0 only if all agree."""

import sys

from django.core.management.base import BaseCommand

from jianguan.sampling import protocol as P
from jianguan.sampling import services


class Command(BaseCommand):
    help = "仅凭抽取证明目录中的文件重算抽取，逐字节核对结果（不读数据库）"
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--board",
            help="公示板 JSON 文件或 board.json 网址：另核对承诺值在录入外部随机数之前已登上公示板",
        )

    def handle(self, *args, directory, board=None, **options):
        checks = (P.board_check(board),) if board else ()
        problems = services.verify(directory, checks=checks)
        if problems:
            self.stdout.write("验证失败：")
            for line in problems:
                self.stdout.write(f"  - {line}")
            sys.exit(1)
        self.stdout.write("验证通过：由公开的文件重算的抽取结果与公布的结果逐字节一致。")
