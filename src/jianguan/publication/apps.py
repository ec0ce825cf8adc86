from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "jianguan.publication"
    label = "publication"
    verbose_name = "结果公示"

    def ready(self) -> None:
        from jianguan.core import dashboard

        from . import selectors, signals  # noqa: F401 - signals connects its receivers

        dashboard.register(todo=selectors.dashboard_todo)
