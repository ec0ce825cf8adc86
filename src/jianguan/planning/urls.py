from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("plans/", views.PlanList.as_view(), name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/export/", views.PlanList.as_export_view(), name="plan_export"),
    path("plans/<id:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<id:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<id:pk>/file/", views.plan_file, name="plan_file"),
    path("plans/<id:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<id:pk>/return/", views.plan_return, name="plan_return"),
    path("tasks/", views.TaskList.as_view(), name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/export/", views.TaskList.as_export_view(), name="task_export"),
    path("tasks/<id:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<id:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<id:pk>/definition.json", views.task_export_json, name="task_export_json"),
]
