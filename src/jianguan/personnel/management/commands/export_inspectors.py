from jianguan.core.commands import ExportCommand


class Command(ExportCommand):
    help = "导出执法检查人员名录（列与导入模板相同，可直接再导入）"
    what = "检查人员"

    def exporter(self):
        from jianguan.personnel.importing import export_inspectors

        return export_inspectors
