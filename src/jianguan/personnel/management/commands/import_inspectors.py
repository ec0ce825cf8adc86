from jianguan.core.commands import ImportCommand


class Command(ImportCommand):
    help = "批量导入执法检查人员：csv 或 xlsx，默认全部正确才写入"
    what = "检查人员"

    def importer(self):
        from jianguan.personnel.importing import import_inspectors

        return import_inspectors

    def template_writer(self):
        from jianguan.personnel.importing import write_template

        return write_template
