from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "jianguan.board"
    label = "board"
    verbose_name = "抽取公示板"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to the draw's signals)
