from django.urls import path

from risk.views import backups

app_name = "risk"

urlpatterns = [
    path("backups/", backups.backup_list, name="backup_list"),
    path("backups/run/", backups.backup_start, name="backup_start"),
    path("backups/<int:pk>/verify/", backups.backup_verify, name="backup_verify"),
]
