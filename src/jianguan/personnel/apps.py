from django.apps import AppConfig


class PersonnelConfig(AppConfig):
    name = "jianguan.personnel"
    label = "personnel"
    verbose_name = "检查人员与专家名录库"
