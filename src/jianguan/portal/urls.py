"""The public portal (公众查询), mounted at /public/: no login."""

from django.urls import path

from . import board, views

app_name = "portal"
urlpatterns = [
    path("", views.search, name="search"),
    path("entities/<text:uscc>/", views.entity_detail, name="entity_detail"),
    path("board/", board.board, name="board"),
    path("board.json", board.board_json, name="board_json"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<id:pk>/", views.task_detail, name="task_detail"),
    path("draws/<id:pk>/proof.zip", views.draw_proof, name="draw_proof"),
    path("draws/<id:pk>/verify/", views.draw_verify, name="draw_verify"),
    path("verify_draw.py", views.verifier, name="verifier"),
    path("testing/", views.testing_search, name="testing_search"),
    path("testing/cases/", views.testing_cases, name="testing_cases"),
    path("testing/<text:uscc>/", views.testing_body, name="testing_body"),
]
