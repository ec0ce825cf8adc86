"""`jianguan board_verify`: walk the public board's hash chain and the audit heads on it."""

import sys

from django.core.management.base import BaseCommand

from jianguan.board import services


class Command(BaseCommand):
    help = "逐条核对抽取公示板的哈希链，并核对公示板上的审计日志链头与审计日志一致"

    def handle(self, *args, **options):
        count, problem = services.verify()
        if problem:
            self.stdout.write(f"公示板哈希链断裂：{problem}。此前 {count} 条完好。")
            sys.exit(1)
        total, head = services.head()
        self.stdout.write(f"公示板哈希链完好：共 {count} 条，链头哈希 {head}。")
