from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "jianguan.org"
    label = "org"
    verbose_name = "机构与用户"
