from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("abnormal/", views.AbnormalList.as_view(), name="abnormal_list"),
    path("abnormal/new/", views.AbnormalCreate.as_view(), name="abnormal_create"),
    path("abnormal/export/", views.AbnormalList.as_export_view(), name="abnormal_export"),
    path("abnormal/<id:pk>/", views.AbnormalDetail.as_view(), name="abnormal_detail"),
    path("abnormal/<id:pk>/cure/", views.AbnormalCure.as_view(), name="abnormal_cure"),
    path("abnormal/<id:pk>/remove/", views.AbnormalRemove.as_view(), name="abnormal_remove"),
    path("abnormal/<id:pk>/escalate/", views.abnormal_escalate, name="abnormal_escalate"),
    path("abnormal/<id:pk>/objection/", views.ObjectionCreate.as_view(), name="objection_create"),
    path("objections/<id:pk>/decide/", views.ObjectionDecide.as_view(), name="objection_decide"),
    path("serious/", views.SeriousList.as_view(), name="serious_list"),
    path("serious/new/", views.SeriousCreate.as_view(), name="serious_create"),
    path("serious/export/", views.SeriousList.as_export_view(), name="serious_export"),
    path("serious/<id:pk>/", views.SeriousDetail.as_view(), name="serious_detail"),
    path("serious/<id:pk>/edit/", views.SeriousEdit.as_view(), name="serious_edit"),
    path("serious/<id:pk>/remove/", views.SeriousRemove.as_view(), name="serious_remove"),
    path("serious/<id:pk>/repair/", views.RepairApply.as_view(), name="repair_apply"),
    path("repairs/<id:pk>/decide/", views.RepairDecide.as_view(), name="repair_decide"),
    path("commitments/", views.CommitmentList.as_view(), name="commitment_list"),
    path("commitments/new/", views.CommitmentEdit.as_view(), name="commitment_create"),
    path("commitments/export/", views.CommitmentList.as_export_view(), name="commitment_export"),
    path("commitments/<id:pk>/edit/", views.CommitmentEdit.as_view(), name="commitment_edit"),
    path("due/", views.due, name="due"),
]
