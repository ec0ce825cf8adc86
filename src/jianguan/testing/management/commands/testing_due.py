"""`jianguan testing_due`: the scheduled work of testing-body supervision (run daily):
certificates past their expiry become 过期, mandatory PT schemes past their deadline record the
bodies that did not take part (未参加), and the credit grades are recomputed once a month."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "检验检测监管定时工作：资质认定到期转为过期、登记未参加强制能力验证、每月信用等级评价"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日执行（默认今天，格式 YYYY-MM-DD）")

    def handle(self, *args, date, **options):
        import datetime as dt

        from jianguan.testing import grades, proficiency, services
        from jianguan.testing.models import PTScheme

        today = dt.date.fromisoformat(date) if date else timezone.localdate()
        expired = services.expire_due(today)
        missed = sum(
            proficiency.record_missed(user=None, scheme=s, today=today)
            for s in PTScheme.objects.filter(active=True, deadline__lt=today).exclude(
                required_fields=0
            )
        )
        self.stdout.write(f"资质认定转为过期 {expired} 张；登记未参加强制能力验证 {missed} 家")
        if grades.active_model() is not None and grades.monthly_due(today):
            run = grades.run(as_of=today, trigger="monthly")
            counts = "，".join(f"{g}级 {n}" for g, n in run.counts.items())
            self.stdout.write(f"本月信用等级评价完成：{counts}；等级变化 {run.changed} 家")
