from jianguan.core.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "批量导入抽查事项清单：csv 或 xlsx，按“事项编码”匹配已有事项，整批导入（有错则全部不写入）"
    )
    what = "抽查事项"

    def add_arguments(self, parser):
        # All-or-nothing: a reference list is never imported in part (no --skip-invalid).
        parser.add_argument("file", help="csv 或 xlsx 文件")
        parser.add_argument("--template", action="store_true", help="写出空白导入模板到 FILE")
        parser.add_argument("--errors", metavar="FILE", help="错误报告（.csv 或 .xlsx）")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份导入（默认：系统）")
        parser.set_defaults(skip_invalid=False)

    def importer(self):
        from jianguan.catalog.importing import import_items

        return import_items

    def template_writer(self):
        from jianguan.catalog.importing import write_item_template

        return write_item_template
