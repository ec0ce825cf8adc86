from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/export/", views.item_export, name="item_export"),
    path("items/import/", views.item_import, name="item_import"),
    path("items/import/template/", views.item_import_template, name="item_import_template"),
    path("items/<id:pk>/", views.item_detail, name="item_detail"),
    path("items/<id:pk>/edit/", views.item_edit, name="item_edit"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<id:pk>/edit/", views.department_edit, name="department_edit"),
    path("result-codes/", views.result_code_list, name="result_code_list"),
    path("result-codes/new/", views.result_code_create, name="result_code_create"),
    path("result-codes/export/", views.result_code_export, name="result_code_export"),
    path("result-codes/import/", views.result_code_import, name="result_code_import"),
    path(
        "result-codes/import/template/",
        views.result_code_import_template,
        name="result_code_import_template",
    ),
    path("result-codes/<id:pk>/edit/", views.result_code_edit, name="result_code_edit"),
]
