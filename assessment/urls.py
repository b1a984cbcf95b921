from django.urls import path

from assessment import views

urlpatterns = [
    path("", views.assessment, name="assessment"),
    path("report.pdf", views.assessment_pdf, name="assessment_pdf"),
]
