"""`jianguan run_draw TASK_FILE [--external-entropy VALUE] --out DIR`: task → commit → draw → proof."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jianguan.core.commands import user_by_name
from jianguan.planning.rules import DefinitionError
from jianguan.planning.services import task_from_file
from jianguan.sampling import services
from jianguan.sampling.protocol import RuleError


class Command(BaseCommand):
    help = "由任务定义 JSON 创建抽查任务，冻结名单、公布承诺值、抽取并导出抽取证明"

    def add_arguments(self, parser):
        parser.add_argument("task_file", help="任务定义 JSON 文件（格式见 docs/draw-protocol.md）")
        parser.add_argument("--external-entropy", default="", help="外部公开随机数（如开奖号码）")
        parser.add_argument("--entropy-source", default="", help="外部随机数的来源说明")
        parser.add_argument("--out", required=True, help="抽取证明的输出目录")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份操作（默认：系统）")

    def handle(self, *args, task_file, external_entropy, entropy_source, out, user, **options):
        actor = user_by_name(user)
        try:
            task = task_from_file(actor, task_file)
            draw = services.commit(task, actor)
            self.stdout.write(
                f"任务 {task.pk}「{task.title}」：已冻结名单，承诺值 {draw.commitment}"
            )
            if external_entropy:
                services.set_entropy(draw, actor, external_entropy, entropy_source)
            draw = services.execute(draw, actor)
        except DefinitionError as e:
            raise CommandError(f"任务定义有误：{e}") from e
        except (ValidationError, RuleError) as e:
            raise CommandError("；".join(getattr(e, "messages", [str(e)]))) from e
        if draw.status != draw.Status.DRAWN:
            lines = [f"  {k}：{v}" for k, v in sorted(draw.unstaffed.items())[:50]]
            raise CommandError(
                f"抽取 {draw.pk} 无法配齐检查人员（{len(draw.unstaffed)} 户），未写入结果：\n"
                + "\n".join(lines)
            )
        services.export(draw, out)
        self.stdout.write(
            f"抽取 {draw.pk}：抽中 {draw.counts['selected']:,} 户，证明已写入 {out}"
            f"（用 jianguan verify_draw {out} 或 python3 tools/verify_draw.py {out} 验证）"
        )
