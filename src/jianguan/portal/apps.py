from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jianguan.portal"
    label = "portal"
    verbose_name = "公众查询"
