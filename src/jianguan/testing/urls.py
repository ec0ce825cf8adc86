from django.urls import path

from .views import bodies, followups, grades, monitoring, other, pt

app_name = "testing"
urlpatterns = [
    path("", bodies.home, name="home"),
    path("coverage/", bodies.coverage, name="coverage"),
    path("bodies/<id:pk>/file/", bodies.body_file, name="body_file"),
    # qualifications, applications, changes
    path("qualifications/", bodies.QualificationList.as_view(), name="qualification_list"),
    path(
        "qualifications/export/",
        bodies.QualificationList.as_export_view(),
        name="qualification_export",
    ),
    path("qualifications/register/", bodies.qualification_register, name="qualification_register"),
    path("qualifications/new/", bodies.qualification_create, name="qualification_create"),
    path("qualifications/import/", bodies.qualification_import, name="qualification_import"),
    path("qualifications/<id:pk>/", bodies.qualification_detail, name="qualification_detail"),
    path(
        "qualifications/<id:pk>/status/", bodies.qualification_status, name="qualification_status"
    ),
    path("applications/", bodies.ApplicationList.as_view(), name="application_list"),
    path(
        "applications/export/", bodies.ApplicationList.as_export_view(), name="application_export"
    ),
    path("applications/new/", bodies.application_create, name="application_create"),
    path("applications/<id:pk>/decide/", bodies.application_decide, name="application_decide"),
    path("changes/", bodies.ChangeList.as_view(), name="change_list"),
    path("changes/export/", bodies.ChangeList.as_export_view(), name="change_export"),
    path("changes/new/", bodies.change_create, name="change_create"),
    # commitment follow-up
    path("follow-ups/", followups.FollowUpList.as_view(), name="follow_up_list"),
    path("follow-ups/export/", followups.FollowUpList.as_export_view(), name="follow_up_export"),
    path("follow-ups/report/", followups.follow_up_report, name="follow_up_report"),
    path("follow-ups/<id:pk>/", followups.follow_up_detail, name="follow_up_detail"),
    path("follow-ups/<id:pk>/record/", followups.follow_up_record, name="follow_up_record"),
    path("follow-ups/<id:pk>/method/", followups.follow_up_method, name="follow_up_method"),
    path(
        "follow-ups/<id:pk>/rectified/", followups.follow_up_rectified, name="follow_up_rectified"
    ),
    # risk monitoring
    path("monitoring/", monitoring.PlanList.as_view(), name="plan_list"),
    path("monitoring/export/", monitoring.PlanList.as_export_view(), name="plan_export"),
    path("monitoring/new/", monitoring.plan_create, name="plan_create"),
    path("monitoring/report/", monitoring.monitoring_report, name="monitoring_report"),
    path("monitoring/summaries/new/", monitoring.summary_create, name="summary_create"),
    path("monitoring/summaries/<id:pk>/", monitoring.summary_detail, name="summary_detail"),
    path("monitoring/<id:pk>/", monitoring.plan_detail, name="plan_detail"),
    path("monitoring/<id:pk>/refresh/", monitoring.plan_refresh, name="plan_refresh"),
    path("monitoring/targets/<id:pk>/visit/", monitoring.visit_create, name="visit_create"),
    # proficiency testing
    path("pt/schemes/", pt.SchemeList.as_view(), name="scheme_list"),
    path("pt/schemes/export/", pt.SchemeList.as_export_view(), name="scheme_export"),
    path("pt/schemes/new/", pt.scheme_create, name="scheme_create"),
    path("pt/schemes/<id:pk>/", pt.scheme_detail, name="scheme_detail"),
    path("pt/schemes/<id:pk>/edit/", pt.scheme_edit, name="scheme_edit"),
    path("pt/schemes/<id:pk>/missed/", pt.scheme_missed, name="scheme_missed"),
    path("pt/results/", pt.ResultList.as_view(), name="result_list"),
    path("pt/results/export/", pt.ResultList.as_export_view(), name="result_export"),
    path("pt/results/template/", pt.result_template, name="result_template"),
    path("pt/results/import/", pt.result_import, name="result_import"),
    path("pt/results/new/", pt.result_create, name="result_create"),
    path("pt/results/<id:pk>/", pt.result_detail, name="result_detail"),
    path("pt/results/<id:pk>/appeal/", pt.appeal_create, name="appeal_create"),
    path("pt/appeals/<id:pk>/decide/", pt.appeal_decide, name="appeal_decide"),
    path("pt/rectifications/", pt.RectificationList.as_view(), name="rectification_list"),
    path(
        "pt/rectifications/export/",
        pt.RectificationList.as_export_view(),
        name="rectification_export",
    ),
    path("pt/rectifications/<id:pk>/retest/", pt.retest, name="retest"),
    path("pt/rectifications/<id:pk>/handle/", pt.handle, name="handle"),
    # capability assessment
    path("assessments/", other.AssessmentList.as_view(), name="assessment_list"),
    path("assessments/export/", other.AssessmentList.as_export_view(), name="assessment_export"),
    path("assessments/new/", other.assessment_create, name="assessment_create"),
    path("assessments/<id:pk>/", other.assessment_detail, name="assessment_detail"),
    path("assessments/<id:pk>/rectified/", other.assessment_rectified, name="assessment_rectified"),
    # credit grades
    path("grades/", grades.GradeList.as_view(), name="grade_list"),
    path("grades/export/", grades.GradeList.as_export_view(), name="grade_export"),
    path("grades/run/", grades.grade_run, name="grade_run"),
    path("grades/models/", grades.grade_models, name="grade_models"),
    path("grades/models/<id:pk>/", grades.grade_model, name="grade_model"),
    path("grades/models/<id:pk>/edit/", grades.grade_model_edit, name="grade_model_edit"),
    path("grades/models/<id:pk>/indicators/new/", grades.indicator_edit, name="indicator_create"),
    path(
        "grades/models/<id:pk>/indicators/<text:code>/",
        grades.indicator_edit,
        name="indicator_edit",
    ),
    path("grades/models/<id:pk>/vetoes/new/", grades.veto_edit, name="veto_create"),
    path("grades/models/<id:pk>/vetoes/<text:code>/", grades.veto_edit, name="veto_edit"),
    path(
        "grades/models/<id:pk>/<text:action>/", grades.grade_model_action, name="grade_model_action"
    ),
    # online leads, targeted checks, handling, cases, violations
    path("leads/", other.LeadList.as_view(), name="lead_list"),
    path("leads/export/", other.LeadList.as_export_view(), name="lead_export"),
    path("leads/new/", other.lead_create, name="lead_create"),
    path("leads/<id:pk>/", other.lead_detail, name="lead_detail"),
    path("leads/<id:pk>/check/", other.lead_check, name="lead_check"),
    path("leads/<id:pk>/close/", other.lead_close, name="lead_close"),
    path("checks/", other.CheckList.as_view(), name="check_list"),
    path("checks/export/", other.CheckList.as_export_view(), name="check_export"),
    path("checks/<id:pk>/", other.check_detail, name="check_detail"),
    path("checks/<id:pk>/record/", other.check_record, name="check_record"),
    path("handlings/", other.HandlingList.as_view(), name="handling_list"),
    path("handlings/export/", other.HandlingList.as_export_view(), name="handling_export"),
    path("handlings/new/", other.handling_create, name="handling_create"),
    path("cases/", other.CaseList.as_view(), name="case_list"),
    path("cases/export/", other.CaseList.as_export_view(), name="case_export"),
    path("cases/new/", other.case_create, name="case_create"),
    path("cases/<id:pk>/", other.case_edit, name="case_edit"),
    path("violations/", other.ViolationList.as_view(), name="violation_list"),
    path("violations/export/", other.ViolationList.as_export_view(), name="violation_export"),
]
