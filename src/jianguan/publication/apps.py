from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "jianguan.publication"
    label = "publication"
    verbose_name = "结果公示"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the holiday-table receiver
