from jianguan.core.commands import ExportCommand


class Command(ExportCommand):
    help = "导出检查对象名录（列与导入模板相同，可直接再导入）"
    what = "检查对象"

    def exporter(self):
        from jianguan.registry.importing import export_entities

        return export_entities
