from django.contrib import admin
from django.urls import include, path

from jianguan.api import api

urlpatterns = [
    path("", include("jianguan.core.urls")),
    path("", include("jianguan.org.urls")),
    path("registry/", include("jianguan.registry.urls")),
    path("personnel/", include("jianguan.personnel.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
