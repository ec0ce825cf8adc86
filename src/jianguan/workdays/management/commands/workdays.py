"""Working-day arithmetic from the command line.

jianguan workdays add DATE N     the date N working days after DATE (DATE itself not
                                 counted), followed by " provisional" when the count
                                 reaches into a year without a known holiday schedule
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jianguan.workdays import selectors


class Command(BaseCommand):
    help = "工作日计算：jianguan workdays add 日期 N"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="日期之后第 N 个工作日（当日不计入）")
        add.add_argument("date", help="起算日期 YYYY-MM-DD")
        add.add_argument("n", type=int, help="工作日数（≥ 0）")

    def handle(self, *args, action: str, date: str, n: int, **options):
        try:
            day = dt.date.fromisoformat(date)
        except ValueError as e:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from e
        if n < 0:
            raise CommandError("工作日数不能为负")
        deadline = selectors.add_working_days(day, n)
        self.stdout.write(
            f"{deadline.date:%Y-%m-%d}" + (" provisional" if deadline.provisional else "")
        )
        if deadline.provisional:
            self.stderr.write("暂定：计算跨入尚无节假日安排的年份，仅按周末计算")
