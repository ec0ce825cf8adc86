from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("<id:pk>/remove/", views.calendar_remove, name="calendar_remove"),
]
