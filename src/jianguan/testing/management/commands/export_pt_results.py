"""`jianguan export_pt_results --out FILE`: the results with z (2 decimals) and the grade."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.core.commands import user_by_name
from jianguan.core.scoping import SYSTEM
from jianguan.core.tabular import TableError


class Command(BaseCommand):
    help = "导出能力验证（盲样考核）结果：导入的各列，加 z值（保留2位小数）和评定结果"

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, metavar="FILE", help="输出文件（.csv 或 .xlsx）"
        )
        parser.add_argument("--scheme", metavar="NUMBER", help="只导出该能力验证计划")
        parser.add_argument(
            "--user", metavar="USERNAME", help="按该用户的管辖范围导出（默认：全部）"
        )

    def handle(self, *args, out, scheme, user, **options):
        from jianguan.testing.models import PTResult
        from jianguan.testing.proficiency import export_results

        qs = PTResult.objects.restrict(user_by_name(user) or SYSTEM)
        if scheme:
            qs = qs.filter(scheme__number=scheme)
        qs = qs.order_by("scheme__number", "entity__uscc", "item")
        try:
            count = export_results(Path(out), qs)
        except TableError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"已导出能力验证结果 {count} 条：{out}")
