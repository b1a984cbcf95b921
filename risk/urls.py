from django.urls import path, re_path

from risk.views import backups, operations, survey

app_name = "risk"

urlpatterns = [
    path("survey/", survey.campaign_list, name="campaign_list"),
    path("survey/new/", survey.campaign_create, name="campaign_create"),
    path("survey/<int:pk>/answer/", survey.response_edit, name="response_edit"),
    path("survey/<int:pk>/report/", survey.campaign_report, name="campaign_report"),
    re_path(r"^survey/(?P<pk>\d+)/report\.(?P<fmt>xlsx|pdf)$", survey.campaign_report_export, name="campaign_report_export"),
    path("survey/<int:pk>/close/", survey.campaign_close, name="campaign_close"),
    path("survey/<int:pk>/actions/", survey.action_create, name="action_create"),
    path("survey/actions/<int:pk>/status/", survey.action_status, name="action_status"),
    path("survey/responses/<int:pk>/reopen/", survey.response_reopen, name="response_reopen"),
    path("survey/questions/", survey.question_list, name="question_list"),
    path("survey/questions/standard/", survey.questions_load, name="questions_load"),
    path("survey/questions/new/", survey.question_edit, name="question_add"),
    path("survey/questions/<int:pk>/", survey.question_edit, name="question_edit"),
    path("contingency/", operations.contingency_plan, name="contingency_plan"),
    path("contingency/edit/", operations.contingency_plan_edit, name="contingency_plan_edit"),
    path("contingency/v<int:version>/", operations.contingency_plan, name="contingency_plan_version"),
    path("training/", operations.training_plan, name="training_plan"),
    path("training/courses/new/", operations.course_edit, name="course_add"),
    path("training/courses/<int:pk>/", operations.course_detail, name="course_detail"),
    path("training/courses/<int:pk>/edit/", operations.course_edit, name="course_edit"),
    path("training/participants/<int:pk>/status/", operations.participant_status, name="participant_status"),
    path("usage/", operations.usage, name="usage_report"),
    path("backups/", backups.backup_list, name="backup_list"),
    path("backups/run/", backups.backup_start, name="backup_start"),
    path("backups/<int:pk>/verify/", backups.backup_verify, name="backup_verify"),
]
