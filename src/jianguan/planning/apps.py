from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "jianguan.planning"
    label = "planning"
    verbose_name = "抽查计划与任务"
