"""`jianguan export_draw DRAW_ID --out DIR`: the proof package of a completed draw."""

from django.core.management.base import BaseCommand, CommandError

from jianguan.sampling import services
from jianguan.sampling.models import Draw


class Command(BaseCommand):
    help = "导出完整抽取证明（或用 --public 导出公开抽取证明）"

    def add_arguments(self, parser):
        parser.add_argument("draw_id", type=int)
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument(
            "--public",
            action="store_true",
            help="公开抽取证明（不含风险分类、重点类别、人员编号和回避原因）",
        )

    def handle(self, *args, draw_id, out, public, **options):
        draw = Draw.objects.filter(pk=draw_id).first()
        if draw is None:
            raise CommandError(f"抽取 {draw_id} 不存在")
        try:
            services.export(draw, out=out, public=public)
        except services.DrawError as e:
            raise CommandError("；".join(e.messages)) from e
        self.stdout.write(f"抽取 {draw_id} 的证明已写入 {out}")
