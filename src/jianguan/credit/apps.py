from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "jianguan.credit"
    label = "credit"
    verbose_name = "信用分类与信用名单"
