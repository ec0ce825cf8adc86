from django.urls import path

from . import views

app_name = "personnel"
urlpatterns = [
    path("inspectors/", views.InspectorList.as_view(), name="inspector_list"),
    path("inspectors/new/", views.InspectorEdit.as_view(), name="inspector_create"),
    path("inspectors/export/", views.InspectorList.as_export_view(), name="inspector_export"),
    path("inspectors/import/", views.inspector_import, name="inspector_import"),
    path(
        "inspectors/import/template/",
        views.inspector_import_template,
        name="inspector_import_template",
    ),
    path("inspectors/<id:pk>/", views.InspectorDetail.as_view(), name="inspector_detail"),
    path("inspectors/<id:pk>/edit/", views.InspectorEdit.as_view(), name="inspector_edit"),
    path("experts/", views.ExpertList.as_view(), name="expert_list"),
    path("experts/new/", views.ExpertEdit.as_view(), name="expert_create"),
    path("experts/export/", views.ExpertList.as_export_view(), name="expert_export"),
    path("experts/import/", views.expert_import, name="expert_import"),
    path(
        "experts/import/template/",
        views.expert_import_template,
        name="expert_import_template",
    ),
    path("experts/<id:pk>/", views.ExpertDetail.as_view(), name="expert_detail"),
    path("experts/<id:pk>/edit/", views.ExpertEdit.as_view(), name="expert_edit"),
    path("conflicts/", views.ConflictList.as_view(), name="conflict_list"),
    path("conflicts/new/", views.ConflictCreate.as_view(), name="conflict_create"),
    path("conflicts/<id:pk>/end/", views.ConflictEnd.as_view(), name="conflict_end"),
]
