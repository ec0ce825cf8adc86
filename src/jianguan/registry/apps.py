from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jianguan.registry"
    label = "registry"
    verbose_name = "检查对象名录库"
