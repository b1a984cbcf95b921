from django.urls import path

from datasets import import_views, views

app_name = "datasets"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("entry/", views.entry, name="entry"),
    path("completeness/", views.completeness_page, name="completeness"),
    path("completeness.json", views.completeness_json, name="completeness_json"),
    path("jobs/<str:job>/", views.job_status, name="job_status"),
    path("<str:code>/", views.dataset_detail, name="detail"),
    path("<str:code>/history/", views.history, name="history"),
    path("<str:code>/audit/", views.audit, name="audit"),
    path("<str:code>/upload/", views.upload, name="upload"),
    path("<str:code>/upload/<str:token>/map/", import_views.upload_map, name="upload_map"),
    path("<str:code>/download/<str:what>/", views.download, name="download"),
]

# The open-data catalogue (public datasets, no login): mounted at /open-data/.
open_data_patterns = (
    [
        path("", views.catalogue, {"open_data": True}, name="catalogue"),
        path("<str:code>/", views.dataset_detail, {"open_data": True}, name="detail"),
    ],
    "open_data",
)
