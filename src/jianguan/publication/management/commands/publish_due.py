"""`jianguan publish_due [--date DATE]`: publish the queued publications whose day has come.

Run it once a day (cron, or a systemd timer) after midnight; running it twice does nothing more.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jianguan.publication import services


class Command(BaseCommand):
    help = "公示排期日期已到的检查结果"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期处理（默认今天），格式 2026-11-23")

    def handle(self, *args, date: str | None = None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as e:
            raise CommandError(f"日期格式应为 2026-11-23：{date}") from e
        published = 0
        for publication, outcome in services.publish_due(today):
            if isinstance(outcome, int):
                published += 1
                self.stdout.write(f"{publication.task.title}：公示 {outcome} 条")
            else:
                self.stderr.write(f"{publication.task.title}：未能公示（{outcome}）")
        self.stdout.write(f"已公示 {published} 个任务")
