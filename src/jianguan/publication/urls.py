from django.urls import path

from . import views

app_name = "publication"
urlpatterns = [
    path("", views.publication_list, name="publication_list"),
    path("export/", views.publication_export, name="publication_export"),
    path("<id:pk>/", views.publication_detail, name="publication_detail"),
    path("<id:pk>/publish/", views.publication_publish, name="publication_publish"),
    path("<id:pk>/queue/", views.publication_queue, name="publication_queue"),
    path("<id:pk>/unqueue/", views.publication_unqueue, name="publication_unqueue"),
    path("results/", views.result_list, name="result_list"),
    path("results/export/", views.result_export, name="result_export"),
    path("results/interchange/", views.result_interchange, name="result_interchange"),
    path("results/<id:pk>/withdraw/", views.result_withdraw, name="result_withdraw"),
]
