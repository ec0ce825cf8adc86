"""`jianguan publish_audit_head`: the audit log's head on the public board, once a day."""

from django.core.management.base import BaseCommand

from jianguan.board import services


class Command(BaseCommand):
    help = "把审计日志哈希链的链头（事件数、哈希）登上抽取公示板；每天（北京时间）一次，重复运行不重复登载"

    def handle(self, *args, **options):
        entry, new = services.publish_audit_head()
        d = entry.data
        verb = "已登上公示板" if new else "今日已登载过"
        self.stdout.write(
            f"审计日志链头{verb}（公示板第 {entry.seq} 条）：{d['date']}，"
            f"{d['count']} 条事件，哈希 {d['hash']}。"
        )
