from django.urls import path

from cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.tiles, name="tiles"),
    path("warroom/", views.warroom, name="warroom"),
    path("brief.pdf", views.brief_pdf, name="brief_pdf"),
    path("indicator/<str:code>/", views.indicator_drilldown, name="drilldown"),
    path("my/", views.my_dashboard, name="my_dashboard"),
    path("my/<int:pin_id>/remove/", views.pin_delete, name="pin_remove"),
    path("pivot/", views.pivot_view, name="pivot"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
]
