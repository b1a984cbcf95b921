from django.urls import path

from verification import views

app_name = "verification"
urlpatterns = [
    path("", views.submissions, name="submissions"),
    path("open/", views.submission_open, name="submission_open"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/confirm/", views.outlier_confirm, name="outlier_confirm"),
    path("submissions/<int:pk>/<str:action>/", views.submission_action, name="submission_action"),
    path("bulk-verify/", views.bulk_verify, name="bulk_verify"),
    path("violations/", views.violations, name="violations"),
    path("violations/run/", views.validation_run, name="validation_run"),
    path("violations/hotspots.json", views.violation_hotspots, name="violation_hotspots"),
    path("orgunits.geojson", views.orgunit_shapes, name="orgunit_shapes"),
    path("responsibility/", views.responsibility, name="responsibility"),
    path("tracking/", views.tracking, name="tracking_report"),
    path("tracking/letter/<str:agency_code>/", views.tracking_letter, name="tracking_letter"),
    path("notifications/", views.notifications, name="notifications"),
]
