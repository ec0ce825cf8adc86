"""`jianguan seed_demo_testing`: testing-body supervision on the demo city, bodies in every state."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jianguan.demo.testing import Seeder
from jianguan.registry.models import TestingBody
from jianguan.testing.models import MonitoringPlan

LABELS = {
    "qualifications": "资质认定登记",
    "suspended": "暂停",
    "cancelled": "注销",
    "revoked": "撤销",
    "false_commitment": "因虚假承诺撤销",
    "applications": "待办申请",
    "follow_ups_done": "告知承诺已核查",
    "follow_ups_overdue": "告知承诺逾期未核查",
    "changes": "机构变更",
    "plans": "风险监测计划",
    "visits": "监测记录",
    "pt_satisfactory": "能力验证满意",
    "pt_questionable": "可疑",
    "pt_unsatisfactory": "不满意",
    "missed": "未参加",
    "retests": "复测",
    "appeals": "申诉",
    "assessments": "综合能力考核",
    "leads": "网络监测线索",
    "penalties": "行政处罚",
    "cases": "典型案例",
    "graded": "信用等级评价机构",
}


class Command(BaseCommand):
    help = "在演示数据上生成检验检测监管示例：资质认定、告知承诺核查、风险监测、能力验证、考核、信用等级等"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help="已有风险监测计划时什么也不做")

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and MonitoringPlan.objects.exists():
            self.stdout.write("已有检验检测监管数据，未生成演示数据。")
            return
        if not TestingBody.objects.exists():
            self.stdout.write("名录库中没有检验检测机构（先运行 seed_demo），未生成演示数据。")
            return
        started = time.perf_counter()
        try:
            made = Seeder(seed).run()
        except ValidationError as e:
            raise CommandError("生成演示数据失败：" + "；".join(e.messages)) from e
        summary = "，".join(f"{LABELS.get(k, k)} {v}" for k, v in made.items() if v)
        self.stdout.write(self.style.SUCCESS(f"检验检测监管演示数据已生成：{summary}"))
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")
