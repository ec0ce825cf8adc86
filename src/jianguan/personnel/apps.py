from django.apps import AppConfig


class PersonnelConfig(AppConfig):
    name = "jianguan.personnel"
    label = "personnel"
    verbose_name = "检查人员与专家名录库"

    def ready(self) -> None:
        from jianguan.core import dashboard

        from . import selectors

        dashboard.register(counts=selectors.dashboard_counts)
