from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("abnormal/", views.abnormal_list, name="abnormal_list"),
    path("abnormal/new/", views.abnormal_create, name="abnormal_create"),
    path("abnormal/export.<str:fmt>", views.abnormal_export, name="abnormal_export"),
    path("abnormal/<int:pk>/", views.abnormal_detail, name="abnormal_detail"),
    path("abnormal/<int:pk>/cure/", views.abnormal_cure, name="abnormal_cure"),
    path("abnormal/<int:pk>/remove/", views.abnormal_remove, name="abnormal_remove"),
    path("abnormal/<int:pk>/escalate/", views.abnormal_escalate, name="abnormal_escalate"),
    path("abnormal/<int:pk>/objection/", views.objection_create, name="objection_create"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("serious/", views.serious_list, name="serious_list"),
    path("serious/new/", views.serious_create, name="serious_create"),
    path("serious/export.<str:fmt>", views.serious_export, name="serious_export"),
    path("serious/<int:pk>/", views.serious_detail, name="serious_detail"),
    path("serious/<int:pk>/edit/", views.serious_edit, name="serious_edit"),
    path("serious/<int:pk>/remove/", views.serious_remove, name="serious_remove"),
    path("serious/<int:pk>/repair/", views.repair_apply, name="repair_apply"),
    path("repairs/<int:pk>/decide/", views.repair_decide, name="repair_decide"),
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/export.<str:fmt>", views.commitment_export, name="commitment_export"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("due/", views.due, name="due"),
]
