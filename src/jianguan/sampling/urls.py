from django.urls import path

from . import views

app_name = "sampling"
urlpatterns = [
    path("draws/", views.DrawList.as_view(), name="draw_list"),
    path("draws/export/", views.DrawList.as_export_view(), name="draw_export"),
    path("draws/<id:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<id:pk>/results/", views.draw_results_export, name="draw_results_export"),
    path("draws/<id:pk>/proof.zip", views.draw_proof, name="draw_proof"),
    path("draws/<id:pk>/print/", views.draw_print, name="draw_print"),
    path("draws/<id:pk>/entropy/", views.draw_entropy, name="draw_entropy"),
    path("draws/<id:pk>/execute/", views.draw_execute, name="draw_execute"),
    path("draws/<id:pk>/redraw/", views.draw_redraw, name="draw_redraw"),
    path("draws/<id:pk>/merge/", views.visit_merge, name="visit_merge"),
    path("tasks/<id:task_pk>/preview/", views.task_preview, name="task_preview"),
    path("tasks/<id:task_pk>/commit/", views.task_commit, name="task_commit"),
]
