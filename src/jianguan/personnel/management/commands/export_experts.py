from jianguan.core.commands import ExportCommand


class Command(ExportCommand):
    help = "导出专家库（列与导入模板相同，可直接再导入）"
    what = "专家"

    def add_arguments(self, parser):
        # The pool is city-wide: no --district.
        parser.add_argument(
            "--out", required=True, metavar="FILE", help="输出文件（.csv 或 .xlsx）"
        )
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导出（默认：全部）")
        parser.set_defaults(district=None)

    def exporter(self):
        from jianguan.personnel.importing_experts import export_experts

        return export_experts
