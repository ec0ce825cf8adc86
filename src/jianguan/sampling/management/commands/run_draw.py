"""`jianguan run_draw`: task → commit → (entropy) → draw → proof, from the command line.

jianguan run_draw TASK_FILE --out DIR
    a task without external entropy: commit and draw at once
jianguan run_draw TASK_FILE --entropy-source S --entropy-id I --entropy-announced T
                  --entropy-format F
    commit with the entropy declaration (T in the future) and stop
jianguan run_draw --draw ID --external-entropy VALUE --out DIR
    after the announcement: enter the declared value (once) and draw
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jianguan.core.commands import user_by_name
from jianguan.planning.rules import DefinitionError
from jianguan.planning.services import task_from_file
from jianguan.sampling import services
from jianguan.sampling.models import Draw
from jianguan.sampling.protocol import RuleError


class Command(BaseCommand):
    help = (
        "由任务定义 JSON 创建抽查任务，冻结名单、公布承诺值（要求外部随机数时同时声明，"
        "之后用 --draw 录入并抽取），抽取并导出抽取证明"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "task_file", nargs="?", help="任务定义 JSON 文件（格式见 docs/draw-protocol.md）"
        )
        parser.add_argument("--draw", type=int, help="继续已承诺的抽取（录入外部随机数并抽取）")
        parser.add_argument(
            "--entropy-source", default="", help="外部随机数来源，如 中国福利彩票 福彩3D"
        )
        parser.add_argument(
            "--entropy-id", default="", help="期号与数值，如 福彩3D 第2026340期 开奖号码"
        )
        parser.add_argument(
            "--entropy-announced", default="", help="公布时间，ISO 8601 带时区，须在将来"
        )
        parser.add_argument("--entropy-format", default="", help="规范形式：digits:N 或 numbers:N")
        parser.add_argument("--external-entropy", default="", help="声明的数值（公布之后录入）")
        parser.add_argument("--out", help="抽取证明的输出目录")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份操作（默认：系统）")

    def handle(self, *args, task_file, draw, external_entropy, out, user, **options):
        actor = user_by_name(user)
        if (task_file is None) == (draw is None):
            raise CommandError("请给出任务定义文件，或用 --draw 指定已承诺的抽取（二者取一）")
        declaration = {
            "source": options["entropy_source"],
            "identifier": options["entropy_id"],
            "announced_at": options["entropy_announced"],
            "format": options["entropy_format"],
        }
        if not out and (draw is not None or not any(declaration.values())):
            raise CommandError("请用 --out 指定抽取证明的输出目录")
        try:
            if task_file is not None:
                if external_entropy:
                    raise CommandError(
                        "承诺时外部随机数尚未公布：请先声明（--entropy-*），公布后再用 --draw 录入"
                    )
                task = task_from_file(actor, path=task_file)
                made = services.commit(task, user=actor, declaration=declaration)
                self.stdout.write(
                    f"任务 {task.pk}「{task.title}」：已冻结名单，抽取 {made.pk} 的承诺值 "
                    f"{made.commitment}"
                )
                if made.entropy_declaration:
                    self.stdout.write(
                        f"请在 {made.entropy_declaration['identifier']} 公布之后运行："
                        f"jianguan run_draw --draw {made.pk} --external-entropy 数值 --out 目录"
                    )
                    return
            else:
                made = Draw.objects.filter(pk=draw).first()
                if made is None:
                    raise CommandError(f"抽取 {draw} 不存在")
                if external_entropy:
                    services.set_entropy(made, user=actor, value=external_entropy)
            made = services.execute(made, user=actor)
        except DefinitionError as e:
            raise CommandError(f"任务定义有误：{e}") from e
        except (ValidationError, RuleError) as e:
            raise CommandError("；".join(getattr(e, "messages", [str(e)]))) from e
        self._finish(made, out)

    def _finish(self, draw: Draw, out: str) -> None:
        if draw.status != draw.Status.DRAWN:
            lines = [f"  {k}：{v}" for k, v in sorted(draw.unstaffed.items())[:50]]
            raise CommandError(
                f"抽取 {draw.pk} 无法配齐检查人员（{len(draw.unstaffed)} 户），未写入结果：\n"
                + "\n".join(lines)
            )
        services.export(draw, out=out)
        self.stdout.write(
            f"抽取 {draw.pk}：抽中 {draw.counts['selected']:,} 户，证明已写入 {out}"
            f"（用 jianguan verify_draw {out} 或 python3 tools/verify_draw.py {out} 验证）"
        )
