from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_create, name="document_create"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/new/", views.letter_create, name="letter_create"),
    path("letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/attachment/", views.letter_attachment, name="letter_attachment"),
]
