from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "jianguan.testing"
    label = "testing"
    verbose_name = "检验检测监管"

    def ready(self) -> None:
        from jianguan.sampling import conditions

        from . import selectors

        conditions.register("missed_pt", selectors.missed_pt)
