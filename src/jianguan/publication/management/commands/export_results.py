"""`jianguan export_results FILE [--format csv|json|xlsx] [--since DATE] [--user USERNAME]
[--withdrawals]`: the interchange file of published (not withdrawn) results, or of the
withdrawals for a receiver to take off public view; layouts in docs/interchange.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.core.commands import user_by_name
from jianguan.core.scoping import SYSTEM
from jianguan.publication import exporting, selectors
from jianguan.publication.models import PublicResult

FORMATS = ("csv", "json", "xlsx")


class Command(BaseCommand):
    help = "导出已公示（未撤回）的检查结果交换文件，供国家企业信用信息公示系统导入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件")
        parser.add_argument("--format", choices=FORMATS, help="文件格式（默认按扩展名，否则 csv）")
        parser.add_argument("--since", help="只导出该日起公示的结果，格式 2026-11-23")
        parser.add_argument("--user", metavar="USERNAME", help="只导出该用户管辖范围内的结果")
        parser.add_argument(
            "--withdrawals",
            action="store_true",
            help="导出撤回记录（--since 按撤回日期），供公示系统撤下已导入的结果",
        )

    def handle(self, *args, file, format, since, user, withdrawals: bool, **options):
        path = Path(file)
        fmt = format or path.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            fmt = "csv"
        try:
            day = dt.date.fromisoformat(since) if since else None
        except ValueError as e:
            raise CommandError(f"--since 日期格式应为 2026-11-23：{since}") from e
        qs = PublicResult.objects.restrict(user_by_name(user) or SYSTEM)
        select = selectors.withdrawal_rows if withdrawals else selectors.interchange_rows
        with path.open("wb") as target:
            count = exporting.write_interchange(target, select(qs, since=day), fmt, withdrawals)
        kind = "撤回记录" if withdrawals else "公示结果"
        self.stdout.write(f"已导出{kind} {count} 条到 {path}（{fmt}）")
