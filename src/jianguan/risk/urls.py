from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("models/", views.model_list, name="model_list"),
    path("models/<id:pk>/", views.model_detail, name="model_detail"),
    path("models/<id:pk>/edit/", views.model_edit, name="model_edit"),
    path("models/<id:pk>/draft/", views.model_draft, name="model_draft"),
    path("models/<id:pk>/activate/", views.model_activate, name="model_activate"),
    path("models/<id:pk>/<text:kind>/new/", views.child_edit, name="child_create"),
    path("models/<id:pk>/<text:kind>/<text:key>/edit/", views.child_edit, name="child_edit"),
    path("models/<id:pk>/<text:kind>/<text:key>/delete/", views.child_delete, name="child_delete"),
    path("runs/new/", views.run_start, name="run_start"),
    path("runs/<id:pk>/", views.run_detail, name="run_detail"),
    path("keyarea/", views.keyarea_list, name="keyarea_list"),
    path("keyarea/matters/", views.MatterList.as_view(), name="matter_list"),
    path("keyarea/matters/new/", views.matter_edit, name="matter_create"),
    path("keyarea/matters/<id:pk>/edit/", views.matter_edit, name="matter_edit"),
    path(
        "keyarea/matters/export.<text:fmt>", views.MatterList.as_export_view(), name="matter_export"
    ),
    path("keyarea/info/", views.InfoList.as_view(), name="info_list"),
    path("keyarea/info/new/", views.info_edit, name="info_create"),
    path("keyarea/info/<id:pk>/edit/", views.info_edit, name="info_edit"),
    path("keyarea/info/export.<text:fmt>", views.InfoList.as_export_view(), name="info_export"),
    path("keyarea/enterprises/", views.ListingList.as_view(), name="listing_list"),
    path("keyarea/enterprises/new/", views.listing_create, name="listing_create"),
    path("keyarea/enterprises/<id:pk>/remove/", views.listing_remove, name="listing_remove"),
    path(
        "keyarea/enterprises/export.<text:fmt>",
        views.ListingList.as_export_view(),
        name="listing_export",
    ),
    path("keyarea/enterprises/import/", views.listing_import, name="listing_import"),
    path("keyarea/enterprises/records.<text:fmt>", views.listing_records, name="listing_records"),
    path("backtest/", views.backtest, name="backtest"),
    path("keyarea/classes/", views.ClassList.as_view(), name="class_list"),
    path(
        "keyarea/classes/export.<text:fmt>", views.ClassList.as_export_view(), name="class_export"
    ),
    path("keyarea/coverage/", views.coverage, name="coverage"),
    path("keyarea/coverage/export.<text:fmt>", views.coverage_export, name="coverage_export"),
]
