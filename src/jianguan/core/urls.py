from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<id:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<id:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<id:pk>/files/<text:name>", views.job_file, name="job_file"),
    path("audit/", views.audit_list, name="audit_list"),
]
