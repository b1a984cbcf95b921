from django.urls import path, re_path

from risk.views import survey

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
]
