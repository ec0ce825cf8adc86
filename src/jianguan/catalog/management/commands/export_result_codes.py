from jianguan.core.commands import ExportCommand


class Command(ExportCommand):
    help = "导出检查结果代码（列与导入模板相同，可直接再导入）"
    what = "检查结果代码"

    def add_arguments(self, parser):
        # The list is city-wide: no --district.
        parser.add_argument(
            "--out", required=True, metavar="FILE", help="输出文件（.csv 或 .xlsx）"
        )
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导出（默认：全部）")
        parser.set_defaults(district=None)

    def exporter(self):
        from jianguan.catalog.importing import export_result_codes

        return export_result_codes
