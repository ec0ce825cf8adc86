from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("models/", views.model_list, name="model_list"),
    path("models/<int:pk>/", views.model_detail, name="model_detail"),
    path("models/<int:pk>/edit/", views.model_edit, name="model_edit"),
    path("models/<int:pk>/draft/", views.model_draft, name="model_draft"),
    path("models/<int:pk>/activate/", views.model_activate, name="model_activate"),
    path("models/<int:pk>/<str:kind>/new/", views.child_edit, name="child_create"),
    path("models/<int:pk>/<str:kind>/<str:key>/edit/", views.child_edit, name="child_edit"),
    path("models/<int:pk>/<str:kind>/<str:key>/delete/", views.child_delete, name="child_delete"),
    path("runs/new/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("keyarea/", views.keyarea_list, name="keyarea_list"),
    path("keyarea/matters/", views.matter_list, name="matter_list"),
    path("keyarea/matters/new/", views.matter_edit, name="matter_create"),
    path("keyarea/matters/<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("keyarea/matters/export.<str:fmt>", views.matter_export, name="matter_export"),
    path("keyarea/info/", views.info_list, name="info_list"),
    path("keyarea/info/new/", views.info_edit, name="info_create"),
    path("keyarea/info/<int:pk>/edit/", views.info_edit, name="info_edit"),
    path("keyarea/info/export.<str:fmt>", views.info_export, name="info_export"),
    path("keyarea/enterprises/", views.listing_list, name="listing_list"),
    path("keyarea/enterprises/new/", views.listing_create, name="listing_create"),
    path("keyarea/enterprises/<int:pk>/remove/", views.listing_remove, name="listing_remove"),
    path("keyarea/enterprises/export.<str:fmt>", views.listing_export, name="listing_export"),
    path("keyarea/classes/", views.class_list, name="class_list"),
    path("keyarea/classes/export.<str:fmt>", views.class_export, name="class_export"),
    path("keyarea/coverage/", views.coverage, name="coverage"),
    path("keyarea/coverage/export.<str:fmt>", views.coverage_export, name="coverage_export"),
]
