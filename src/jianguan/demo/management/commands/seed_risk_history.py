"""seed_risk_history: demo check results drawn from a hidden propensity (see demo/risk_history.py)."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jianguan.demo import risk_history as history
from jianguan.registry.models import Entity


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "为演示数据生成近3年的检查结果记录（替换已有的演示记录），供信用风险分类和回测使用"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--today", type=_day, default=None, help="基准日期（默认今天）")

    def handle(self, *args, seed, today, **options):
        if seed < 0:
            raise CommandError("--seed 须为非负整数")
        if not Entity.objects.exists():
            raise CommandError("名录库为空：请先运行 seed_demo")
        n = history.seed(seed, today)
        self.stdout.write(self.style.SUCCESS(f"已生成检查结果记录 {n:,} 条（来源：演示数据）"))
