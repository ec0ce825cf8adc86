"""Shared parts of the import/export management commands (thin: parse, call, print)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from .scoping import SYSTEM
from .tabular import write_errors

SHOWN_ERRORS = 10


def user_by_name(username: str | None):
    """The acting user for --user; None (the system, city-wide) when not given."""
    if not username:
        return None
    User = get_user_model()  # noqa: N806 - the model class
    try:
        return User.objects.select_related("unit").get(username=username)
    except User.DoesNotExist as e:
        raise CommandError(f"用户“{username}”不存在") from e


class ImportCommand(BaseCommand):
    """`FILE [--template] [--errors FILE] [--skip-invalid] [--user USERNAME]`."""

    what = ""  # 检查对象 / 检查人员

    def importer(self) -> Callable[..., Any]:
        raise NotImplementedError

    def template_writer(self) -> Callable[[Path], None]:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file", help="csv 或 xlsx 文件")
        parser.add_argument("--template", action="store_true", help="写出空白导入模板到 FILE")
        parser.add_argument("--errors", metavar="FILE", help="错误报告（.csv 或 .xlsx）")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="导入正确的行，跳过并报告错误行"
        )
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导入（默认：系统）")

    def handle(
        self,
        *args,
        file: str,
        template: bool,
        errors: str | None,
        skip_invalid: bool,
        user: str | None,
        **options,
    ):
        from django.core.exceptions import PermissionDenied

        path = Path(file)
        if template:
            self.template_writer()(path)
            self.stdout.write(f"已写出{self.what}导入模板：{path}")
            return
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        started = time.monotonic()
        try:
            result = self.importer()(path, user=user_by_name(user), skip_invalid=skip_invalid)
        except PermissionDenied as e:
            raise CommandError(str(e)) from e
        self._report(result, errors)
        seconds = time.monotonic() - started
        if not result.committed:
            raise CommandError(result.summary())
        self.stdout.write(f"{result.summary()}（{result.total} 行，用时 {seconds:.1f} 秒）")

    def _report(self, result, errors_path: str | None) -> None:
        for e in result.errors[:SHOWN_ERRORS]:
            self.stderr.write(str(e))
        if len(result.errors) > SHOWN_ERRORS:
            self.stderr.write(f"……共 {len(result.error_rows)} 行有错误")
        if errors_path and result.errors:
            write_errors(errors_path, result.errors)
            self.stderr.write(f"错误报告：{errors_path}")


class ExportCommand(BaseCommand):
    """`--out FILE [--district CODE] [--user USERNAME]`."""

    what = ""

    def exporter(self) -> Callable[..., int]:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, metavar="FILE", help="输出文件（.csv 或 .xlsx）"
        )
        parser.add_argument(
            "--district", metavar="CODE", help="只导出该区局（机构代码，如 310101）"
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="按该用户的管辖范围导出（默认：全部）"
        )

    def handle(self, *args, out: str, district: str | None, user: str | None, **options):
        from .tabular import TableError

        try:
            count = self.exporter()(Path(out), user=user_by_name(user) or SYSTEM, district=district)
        except TableError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"已导出{self.what} {count} 条：{out}")
