from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "jianguan.testing"
    label = "testing"
    verbose_name = "检验检测监管"
