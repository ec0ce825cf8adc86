from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jianguan.api import api
from jianguan.core import views as core_views

# A parameter a page cannot understand (core.filters): a 400 page that says which and why.
handler400 = "jianguan.core.views.bad_request"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("system/", include("jianguan.core.urls")),
    path("account/", include("jianguan.org.urls")),
    path("registry/", include("jianguan.registry.urls")),
    path("personnel/", include("jianguan.personnel.urls")),
    path("workdays/", include("jianguan.workdays.urls")),
    path("catalog/", include("jianguan.catalog.urls")),
    path("planning/", include("jianguan.planning.urls")),
    path("sampling/", include("jianguan.sampling.urls")),
    path("credit/", include("jianguan.credit.urls")),
    path("risk/", include("jianguan.risk.urls")),
    path("inspections/", include("jianguan.inspections.urls")),
    path("publication/", include("jianguan.publication.urls")),
    path("testing/", include("jianguan.testing.urls")),
    # The public portal: no login, its own plain pages.
    path("public/", include("jianguan.portal.urls")),
    path("api/", api.urls),
    # Operators only (superusers): users and units. Roster data is changed through the pages,
    # which scope and audit every write.
    path("django-admin/", admin.site.urls),
]
