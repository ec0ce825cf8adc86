from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic data to try jianguan with (`make run`): every generator lives here, on top of the
    domain apps it fills through their models and services; no domain app imports it."""

    name = "jianguan.demo"
    label = "demo"
    verbose_name = "演示数据"
