"""classify_risk: classify every entity with the active (or a given) model version."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jianguan.risk import services
from jianguan.risk.models import RiskModel


class Command(BaseCommand):
    help = "信用风险分类：用启用中的（或指定版本的）模型为全部市场主体评分分类"

    def add_arguments(self, parser):
        parser.add_argument("--model", type=int, help="模型版本号（默认启用中的版本）")

    def handle(self, *args, model=None, **options):
        version = model
        chosen = None
        if version is not None:
            chosen = RiskModel.objects.filter(version=version).first()
            if chosen is None:
                raise CommandError(f"没有版本号为 {version} 的模型")
        started = time.perf_counter()

        def progress(done, total, phase):
            self.stdout.write(f"  {phase}…")

        try:
            run = services.classify(model=chosen, progress=progress)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from e
        total = sum(run.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"第 {run.pk} 次分类完成（模型 V{run.model.version}）：{total:,} 户，"
                + "、".join(f"{k}类 {v:,}" for k, v in run.counts.items())
                + f"；分类变化 {run.changed:,} 户；用时 {time.perf_counter() - started:.1f} 秒"
            )
        )
