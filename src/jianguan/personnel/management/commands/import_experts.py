from jianguan.core.commands import ImportCommand


class Command(ImportCommand):
    help = "批量导入专家库：csv 或 xlsx，按“姓名+工作单位”匹配已有专家，默认全部正确才写入"
    what = "专家"

    def importer(self):
        from jianguan.personnel.importing_experts import import_experts

        return import_experts

    def template_writer(self):
        from jianguan.personnel.importing_experts import write_template

        return write_template
