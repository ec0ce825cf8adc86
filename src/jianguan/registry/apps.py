from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jianguan.registry"
    label = "registry"
    verbose_name = "检查对象名录库"

    def ready(self) -> None:
        from jianguan.core import dashboard

        from . import selectors

        dashboard.register(counts=selectors.dashboard_counts)
