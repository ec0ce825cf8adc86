from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.InspectionList.as_view(), name="inspection_list"),
    path("export/", views.InspectionList.as_export_view(), name="inspection_export"),
    path("mine/", views.my_visits, name="my_visits"),
    path("visits/<id:pk>/", views.visit, name="visit"),
    path("visits/<id:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("visits/<id:pk>/confirm/", views.confirm, name="confirm"),
    path("visits/<id:pk>/impossible/", views.impossible, name="impossible"),
    path("evidence/<id:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<id:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("follow-ups/", views.FollowUpList.as_view(), name="follow_up_list"),
    path("follow-ups/export/", views.FollowUpList.as_export_view(), name="follow_up_export"),
    path("follow-ups/<id:pk>/", views.follow_up_detail, name="follow_up_detail"),
]
