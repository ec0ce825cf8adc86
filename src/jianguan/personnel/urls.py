from django.urls import path

from . import views

app_name = "personnel"
urlpatterns = [
    path("inspectors/", views.inspector_list, name="inspector_list"),
    path("inspectors/new/", views.inspector_create, name="inspector_create"),
    path("inspectors/export/", views.inspector_export, name="inspector_export"),
    path("inspectors/import/", views.inspector_import, name="inspector_import"),
    path(
        "inspectors/import/template/",
        views.inspector_import_template,
        name="inspector_import_template",
    ),
    path("inspectors/<int:pk>/", views.inspector_detail, name="inspector_detail"),
    path("inspectors/<int:pk>/edit/", views.inspector_edit, name="inspector_edit"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/new/", views.expert_create, name="expert_create"),
    path("experts/export/", views.expert_export, name="expert_export"),
    path("experts/import/", views.expert_import, name="expert_import"),
    path(
        "experts/import/template/",
        views.expert_import_template,
        name="expert_import_template",
    ),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("conflicts/", views.conflict_list, name="conflict_list"),
    path("conflicts/new/", views.conflict_create, name="conflict_create"),
    path("conflicts/<int:pk>/end/", views.conflict_end, name="conflict_end"),
]
