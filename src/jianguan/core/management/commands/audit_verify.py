"""`jianguan audit_verify`: walk the audit chain; exit 0 only if every event is intact."""

import sys

from django.core.management.base import BaseCommand

from jianguan.core import audit


class Command(BaseCommand):
    help = "逐条核对审计日志哈希链：事件被改动、删除或绕过系统插入时指出第一处断点并以非零状态退出"

    def handle(self, *args, **options):
        count, problem = audit.verify_chain()
        if problem:
            self.stdout.write(f"审计日志哈希链断裂：{problem}。此前 {count} 条事件完好。")
            sys.exit(1)
        total, head = audit.head()
        self.stdout.write(f"审计日志哈希链完好：共 {count} 条事件，链头哈希 {head}。")
