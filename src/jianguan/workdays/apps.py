from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "jianguan.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self):
        from . import selectors  # noqa: F401 - connects the cache invalidation signals
