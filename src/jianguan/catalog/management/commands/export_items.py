from jianguan.core.commands import ExportCommand


class Command(ExportCommand):
    help = "导出抽查事项清单（列与导入模板相同，可直接再导入）"
    what = "抽查事项"

    def add_arguments(self, parser):
        # The list is city-wide: no --district.
        parser.add_argument(
            "--out", required=True, metavar="FILE", help="输出文件（.csv 或 .xlsx）"
        )
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导出（默认：全部）")
        parser.set_defaults(district=None)

    def exporter(self):
        from jianguan.catalog.importing import export_items

        return export_items
