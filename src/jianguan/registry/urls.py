from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/new/", views.entity_create, name="entity_create"),
    path("entities/export.<str:fmt>", views.entity_export, name="entity_export"),
    path("entities/import/", views.entity_import, name="entity_import"),
    path("entities/import/template.<str:fmt>", views.import_template, name="import_template"),
    path("entities/stations/", views.station_options, name="station_options"),
    path("entities/<int:pk>/", views.entity_detail, name="entity_detail"),
    path("entities/<int:pk>/edit/", views.entity_edit, name="entity_edit"),
    path("entities/<int:pk>/testing-body/", views.testing_body_edit, name="testing_body_edit"),
]
