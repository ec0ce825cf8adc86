"""Remove serious-violation listings whose 3 years are up (总局令第44号), each with an audit event.

    jianguan credit_expire [--date YYYY-MM-DD]

Idempotent: run it daily (cron, systemd timer); a second run on the same day removes nothing.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jianguan.credit.services import expire_serious


class Command(BaseCommand):
    help = "严重违法失信名单：列入满三年的自动移出（总局令第44号）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（默认今天），YYYY-MM-DD")

    def handle(self, *args, date: str | None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as e:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from e
        removed = expire_serious(today=today)
        for listing in removed:
            self.stdout.write(f"已移出：{listing.entity.name}（列入 {listing.listed_on:%Y-%m-%d}）")
        self.stdout.write(f"共移出 {len(removed)} 条")
