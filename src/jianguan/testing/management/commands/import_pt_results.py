"""`jianguan import_pt_results FILE`: a proficiency-testing round's results, all or nothing."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from jianguan.core.commands import SHOWN_ERRORS, user_by_name
from jianguan.core.tabular import write_errors


class Command(BaseCommand):
    help = (
        "导入能力验证（盲样考核）结果：列为 统一社会信用代码、能力验证计划编号、项目、结果值、"
        "指定值、能力评定标准差；按 z=(x−X)/σ̂ 评定，任何一行有误则全部不写入"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="csv 或 xlsx 文件")
        parser.add_argument("--template", action="store_true", help="写出空白导入模板到 FILE")
        parser.add_argument("--errors", metavar="FILE", help="错误报告（.csv 或 .xlsx）")
        parser.add_argument("--reported-on", metavar="DATE", help="结果通报日期（默认今天）")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导入（默认：系统）")

    def handle(self, *args, file, template, errors, reported_on, user, **options):
        from jianguan.testing.proficiency import import_results, write_template

        path = Path(file)
        if template:
            write_template(path)
            self.stdout.write(f"已写出能力验证结果导入模板：{path}")
            return
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            day = dt.date.fromisoformat(reported_on) if reported_on else None
        except ValueError as e:
            raise CommandError("--reported-on 应为日期，格式 YYYY-MM-DD") from e
        started = time.monotonic()
        try:
            result = import_results(path, user=user_by_name(user), reported_on=day)
        except PermissionDenied as e:
            raise CommandError(str(e)) from e
        for e in result.errors[:SHOWN_ERRORS]:
            self.stderr.write(str(e))
        if len(result.errors) > SHOWN_ERRORS:
            self.stderr.write(f"……共 {len(result.error_rows)} 行有错误")
        if errors and result.errors:
            write_errors(errors, result.errors)
            self.stderr.write(f"错误报告：{errors}")
        if not result.committed:
            raise CommandError(result.summary())
        seconds = time.monotonic() - started
        self.stdout.write(f"{result.summary()}（{result.total} 行，用时 {seconds:.1f} 秒）")
