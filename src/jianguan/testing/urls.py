from django.urls import path

from .views import bodies, followups, grades, monitoring, other, pt

app_name = "testing"
urlpatterns = [
    path("", bodies.home, name="home"),
    path("coverage/", bodies.coverage, name="coverage"),
    path("bodies/<int:pk>/file/", bodies.body_file, name="body_file"),
    # qualifications, applications, changes
    path("qualifications/", bodies.qualification_list, name="qualification_list"),
    path("qualifications/export/", bodies.qualification_export, name="qualification_export"),
    path("qualifications/register/", bodies.qualification_register, name="qualification_register"),
    path("qualifications/new/", bodies.qualification_create, name="qualification_create"),
    path("qualifications/import/", bodies.qualification_import, name="qualification_import"),
    path("qualifications/<int:pk>/", bodies.qualification_detail, name="qualification_detail"),
    path(
        "qualifications/<int:pk>/status/", bodies.qualification_status, name="qualification_status"
    ),
    path("applications/", bodies.application_list, name="application_list"),
    path("applications/new/", bodies.application_create, name="application_create"),
    path("applications/<int:pk>/decide/", bodies.application_decide, name="application_decide"),
    path("changes/", bodies.change_list, name="change_list"),
    path("changes/export/", bodies.change_export, name="change_export"),
    path("changes/new/", bodies.change_create, name="change_create"),
    # commitment follow-up
    path("follow-ups/", followups.follow_up_list, name="follow_up_list"),
    path("follow-ups/export/", followups.follow_up_export, name="follow_up_export"),
    path("follow-ups/report/", followups.follow_up_report, name="follow_up_report"),
    path("follow-ups/<int:pk>/", followups.follow_up_detail, name="follow_up_detail"),
    path("follow-ups/<int:pk>/record/", followups.follow_up_record, name="follow_up_record"),
    path("follow-ups/<int:pk>/method/", followups.follow_up_method, name="follow_up_method"),
    path(
        "follow-ups/<int:pk>/rectified/", followups.follow_up_rectified, name="follow_up_rectified"
    ),
    # risk monitoring
    path("monitoring/", monitoring.plan_list, name="plan_list"),
    path("monitoring/new/", monitoring.plan_create, name="plan_create"),
    path("monitoring/report/", monitoring.monitoring_report, name="monitoring_report"),
    path("monitoring/summaries/new/", monitoring.summary_create, name="summary_create"),
    path("monitoring/summaries/<int:pk>/", monitoring.summary_detail, name="summary_detail"),
    path("monitoring/<int:pk>/", monitoring.plan_detail, name="plan_detail"),
    path("monitoring/<int:pk>/refresh/", monitoring.plan_refresh, name="plan_refresh"),
    path("monitoring/targets/<int:pk>/visit/", monitoring.visit_create, name="visit_create"),
    # proficiency testing
    path("pt/schemes/", pt.scheme_list, name="scheme_list"),
    path("pt/schemes/export/", pt.scheme_export, name="scheme_export"),
    path("pt/schemes/new/", pt.scheme_create, name="scheme_create"),
    path("pt/schemes/<int:pk>/", pt.scheme_detail, name="scheme_detail"),
    path("pt/schemes/<int:pk>/edit/", pt.scheme_edit, name="scheme_edit"),
    path("pt/schemes/<int:pk>/missed/", pt.scheme_missed, name="scheme_missed"),
    path("pt/results/", pt.result_list, name="result_list"),
    path("pt/results/export/", pt.result_export, name="result_export"),
    path("pt/results/template/", pt.result_template, name="result_template"),
    path("pt/results/import/", pt.result_import, name="result_import"),
    path("pt/results/new/", pt.result_create, name="result_create"),
    path("pt/results/<int:pk>/", pt.result_detail, name="result_detail"),
    path("pt/results/<int:pk>/appeal/", pt.appeal_create, name="appeal_create"),
    path("pt/appeals/<int:pk>/decide/", pt.appeal_decide, name="appeal_decide"),
    path("pt/rectifications/", pt.rectification_list, name="rectification_list"),
    path("pt/rectifications/export/", pt.rectification_export, name="rectification_export"),
    path("pt/rectifications/<int:pk>/retest/", pt.retest, name="retest"),
    path("pt/rectifications/<int:pk>/handle/", pt.handle, name="handle"),
    # capability assessment
    path("assessments/", other.assessment_list, name="assessment_list"),
    path("assessments/export/", other.assessment_export, name="assessment_export"),
    path("assessments/new/", other.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", other.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<int:pk>/rectified/", other.assessment_rectified, name="assessment_rectified"
    ),
    # credit grades
    path("grades/", grades.grade_list, name="grade_list"),
    path("grades/export/", grades.grade_export, name="grade_export"),
    path("grades/run/", grades.grade_run, name="grade_run"),
    path("grades/models/", grades.grade_models, name="grade_models"),
    path("grades/models/<int:pk>/", grades.grade_model, name="grade_model"),
    path("grades/models/<int:pk>/edit/", grades.grade_model_edit, name="grade_model_edit"),
    path("grades/models/<int:pk>/indicators/new/", grades.indicator_edit, name="indicator_create"),
    path(
        "grades/models/<int:pk>/indicators/<str:code>/",
        grades.indicator_edit,
        name="indicator_edit",
    ),
    path("grades/models/<int:pk>/vetoes/new/", grades.veto_edit, name="veto_create"),
    path("grades/models/<int:pk>/vetoes/<str:code>/", grades.veto_edit, name="veto_edit"),
    path(
        "grades/models/<int:pk>/<str:action>/", grades.grade_model_action, name="grade_model_action"
    ),
    # online leads, targeted checks, handling, cases, violations
    path("leads/", other.lead_list, name="lead_list"),
    path("leads/export/", other.lead_export, name="lead_export"),
    path("leads/new/", other.lead_create, name="lead_create"),
    path("leads/<int:pk>/", other.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/check/", other.lead_check, name="lead_check"),
    path("leads/<int:pk>/close/", other.lead_close, name="lead_close"),
    path("checks/", other.check_list, name="check_list"),
    path("checks/<int:pk>/", other.check_detail, name="check_detail"),
    path("checks/<int:pk>/record/", other.check_record, name="check_record"),
    path("handlings/", other.handling_list, name="handling_list"),
    path("handlings/export/", other.handling_export, name="handling_export"),
    path("handlings/new/", other.handling_create, name="handling_create"),
    path("cases/", other.case_list, name="case_list"),
    path("cases/new/", other.case_create, name="case_create"),
    path("cases/<int:pk>/", other.case_edit, name="case_edit"),
    path("violations/", other.violation_list, name="violation_list"),
    path("violations/export/", other.violation_export, name="violation_export"),
]
