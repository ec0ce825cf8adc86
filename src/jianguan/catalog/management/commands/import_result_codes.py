from jianguan.core.commands import ImportCommand


class Command(ImportCommand):
    help = "批量导入检查结果代码：csv 或 xlsx，按“代码”匹配已有代码，整批导入（有错则全部不写入）"
    what = "检查结果代码"

    def add_arguments(self, parser):
        # All-or-nothing: a reference list is never imported in part (no --skip-invalid).
        parser.add_argument("file", help="csv 或 xlsx 文件")
        parser.add_argument("--template", action="store_true", help="写出空白导入模板到 FILE")
        parser.add_argument("--errors", metavar="FILE", help="错误报告（.csv 或 .xlsx）")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导入（默认：系统）")
        parser.set_defaults(skip_invalid=False)

    def importer(self):
        from jianguan.catalog.importing import import_result_codes

        return import_result_codes

    def template_writer(self):
        from jianguan.catalog.importing import write_result_code_template

        return write_result_code_template
