from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "jianguan.catalog"
    label = "catalog"
    verbose_name = "抽查事项与结果代码"
