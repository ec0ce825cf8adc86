from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jianguan.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import converters

        converters.register()
