from django.urls import path

from gis import views

app_name = "gis"
urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("layers/", views.layers_page, name="layers"),
    path("layers/<int:pk>/delete/", views.layer_delete_view, name="layer_delete"),
    path("api/choropleth/", views.choropleth_api, name="choropleth"),
    path("api/series/", views.series_api, name="series"),
    path("api/layers/", views.layers_api, name="layers_api"),
    path("api/layers/<int:pk>/", views.layer_api, name="layer_api"),
]
