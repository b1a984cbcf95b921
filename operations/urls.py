from django.urls import path

from operations.views import backups, contingency, training, usage

app_name = "operations"

urlpatterns = [
    path("contingency/", contingency.contingency_plan, name="contingency_plan"),
    path("contingency/edit/", contingency.contingency_plan_edit, name="contingency_plan_edit"),
    path("contingency/v<int:version>/", contingency.contingency_plan, name="contingency_plan_version"),
    path("training/", training.training_plan, name="training_plan"),
    path("training/courses/new/", training.course_edit, name="course_add"),
    path("training/courses/<int:pk>/", training.course_detail, name="course_detail"),
    path("training/courses/<int:pk>/edit/", training.course_edit, name="course_edit"),
    path("training/participants/<int:pk>/status/", training.participant_status, name="participant_status"),
    path("usage/", usage.usage, name="usage_report"),
    path("backups/", backups.backup_list, name="backup_list"),
    path("backups/run/", backups.backup_start, name="backup_start"),
    path("backups/<int:pk>/verify/", backups.backup_verify, name="backup_verify"),
]
