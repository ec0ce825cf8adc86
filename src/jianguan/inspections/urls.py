from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("export/", views.inspection_export, name="inspection_export"),
    path("mine/", views.my_visits, name="my_visits"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("visits/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("visits/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("visits/<int:pk>/impossible/", views.impossible, name="impossible"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("follow-ups/export/", views.follow_up_export, name="follow_up_export"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="follow_up_detail"),
]
