"""seed_demo: fill the rosters with a synthetic Shanghai (see demo/city.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.demo import load as demo_load
from jianguan.demo.city import DemoCity
from jianguan.registry.models import Entity

TYPE_LABELS = {t.value: str(t.label) for t in Entity.Type}


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "生成演示数据：市场主体、检验检测机构、执法检查人员、专家、回避声明和演示账号"

    def add_arguments(self, parser):
        parser.add_argument(
            "--entities", type=int, default=50_000, help="市场主体户数（默认 50000）"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="随机种子：相同种子生成相同数据（默认 1）"
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="基准日期 YYYY-MM-DD（默认今天）：日期按此推算",
        )
        parser.add_argument(
            "--to-file", type=Path, help="不写数据库，把市场主体写成导入文件（.csv 或 .xlsx）"
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--if-empty", action="store_true", help="名录库已有数据时什么也不做")
        group.add_argument(
            "--reset",
            action="store_true",
            help="先清空名录库（检查对象、检查人员、专家、回避声明）",
        )

    def handle(self, *args, entities, seed, today, to_file, if_empty, reset, **options):
        if entities < 1 or seed < 0:
            raise CommandError("--entities 须为正整数，--seed 须为非负整数")
        city = DemoCity(entities, seed=seed, today=today)
        started = time.perf_counter()
        try:
            if to_file:
                self._to_file(city, to_file)
            else:
                self._to_database(city, if_empty=if_empty, reset=reset)
        except demo_load.DemoError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")

    def _to_file(self, city: DemoCity, path: Path) -> None:
        count = demo_load.write_file(city, path, progress=self._progress)
        self.stdout.write(self.style.SUCCESS(f"已写入 {path}：市场主体 {count:,} 户"))

    def _to_database(self, city: DemoCity, *, if_empty: bool, reset: bool) -> None:
        existing = demo_load.roster_contents()
        if existing and if_empty:
            self.stdout.write(f"名录库已有数据（{existing}），未生成演示数据。")
            self._login()
            return
        if existing and not reset:
            raise CommandError(
                f"名录库已有数据（{existing}），未写入演示数据。"
                "使用 --if-empty 跳过，或 --reset 清空后重新生成。"
            )
        if existing:
            self.stdout.write("将先清空名录库，再生成演示数据…")
        summary = demo_load.seed(city, reset=bool(existing), progress=self._progress)
        self._report(city, summary)
        self._login()

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"  市场主体 {done:,} / {total:,}")

    def _report(self, city: DemoCity, s: demo_load.Summary) -> None:
        by_type = "、".join(
            f"{TYPE_LABELS[k]} {v:,}" for k, v in sorted(s.entities.items(), key=lambda kv: -kv[1])
        )
        risk = "、".join(f"{k}类 {s.risk[k]:,}" for k in "ABCD")
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已生成（随机种子 {city.seed}，基准日期 {city.today}）：")
        )
        self.stdout.write(f"  市场主体 {sum(s.entities.values()):,} 户（{by_type}）")
        self.stdout.write(f"  信用风险分类：{risk}")
        self.stdout.write(
            f"  重点领域：特殊重点 {s.tiers['special']:,}、一般重点 {s.tiers['general']:,}"
        )
        self.stdout.write(f"  检验检测机构 {s.testing_bodies:,} 家")
        self.stdout.write(
            f"  执法检查人员 {s.inspectors:,} 名（执法证已过期 {s.expired_certs:,} 名）"
        )
        self.stdout.write(f"  专家 {s.experts:,} 名，回避声明 {s.conflicts:,} 条")
        self.stdout.write(f"  演示账号 {len(s.users)} 个：admin、admin_310101…、inspector_310101…")

    def _login(self) -> None:
        path = demo_load.password_path()
        if path.exists():
            self.stdout.write(
                f"登录：用户名 admin / 密码 {demo_load.demo_password()}（所有演示账号同一密码，见 {path}）"
            )
