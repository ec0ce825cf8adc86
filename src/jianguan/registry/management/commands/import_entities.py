from jianguan.core.commands import ImportCommand


class Command(ImportCommand):
    help = "批量导入检查对象（市场主体）：csv 或 xlsx，默认全部正确才写入"
    what = "检查对象"

    def importer(self):
        from jianguan.registry.importing import import_entities

        return import_entities

    def template_writer(self):
        from jianguan.registry.importing import write_template

        return write_template
