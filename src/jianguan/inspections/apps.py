from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "jianguan.inspections"
    label = "inspections"
    verbose_name = "检查实施"

    def ready(self) -> None:
        from jianguan.core import dashboard

        from . import selectors

        dashboard.register(todo=selectors.dashboard_todo)
