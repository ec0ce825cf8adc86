from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("entities/", views.EntityList.as_view(), name="entity_list"),
    path("entities/new/", views.EntityEdit.as_view(), name="entity_create"),
    path("entities/export/", views.EntityList.as_export_view(), name="entity_export"),
    path("entities/import/", views.entity_import, name="entity_import"),
    path("entities/import/template.<text:fmt>", views.import_template, name="import_template"),
    path("entities/stations/", views.station_options, name="station_options"),
    path("entities/<id:pk>/", views.EntityDetail.as_view(), name="entity_detail"),
    path("entities/<id:pk>/edit/", views.EntityEdit.as_view(), name="entity_edit"),
    path(
        "entities/<id:pk>/testing-body/", views.TestingBodyEdit.as_view(), name="testing_body_edit"
    ),
]
