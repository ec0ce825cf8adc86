"""backtest_risk: per-class problem rates and the lift of drawing by class (see risk/backtest.py)."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jianguan.risk import backtest, selectors
from jianguan.risk.models import RiskModel


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "回测信用风险分类模型：各类检查发现问题的比例，按类抽查相对均匀抽查的提升倍数"

    def add_arguments(self, parser):
        parser.add_argument("--model", type=int, help="模型版本号（默认启用中的版本）")
        parser.add_argument(
            "--split",
            type=_day,
            help="分界日期：按此日可知数据分类，用此后的检查检验（默认一年前）",
        )
        parser.add_argument("--today", type=_day, help="检验截止日期（默认今天）")

    def handle(self, *args, model=None, split=None, today=None, **options):
        chosen = (
            RiskModel.objects.filter(version=model).first()
            if model is not None
            else selectors.active_model()
        )
        if chosen is None:
            raise CommandError("没有指定的模型版本，也没有启用中的模型")
        today = today or dt.date.today()
        split = split or today - dt.timedelta(days=365)
        if split >= today:
            raise CommandError("分界日期须早于检验截止日期")
        report = backtest.run(chosen, split, today)
        if not report.checks:
            raise CommandError("分界日期之后没有检查结果记录：请先运行 seed_risk_history")
        self.stdout.write(backtest.table(report))
