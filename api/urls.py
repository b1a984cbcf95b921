"""The API's URLs (mounted at /api/ without a namespace, so ``api_datavalues`` keeps its old name)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import portal, views

urlpatterns = [
    path("tokens/", portal.tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", portal.token_revoke_view, name="api_token_revoke"),
    path("datavalues/", views.DataValueList.as_view(), name="api_datavalues"),
    path("analytics/", views.AnalyticsView.as_view(), name="api_analytics"),
    path("categories/", views.CategoriesView.as_view(), name="api_categories"),
    # DHIS2 clients call /api/dataValueSets, with an optional format suffix (.json, .csv, .adx)
    re_path(r"^dataValueSets(?:\.(?P<format>json|csv|adx))?/?$", views.DataValueSetsView.as_view(), name="api_datavaluesets"),
    path("3/action/package_list", views.CkanPackageList.as_view(), name="ckan_package_list"),
    path("3/action/package_show", views.CkanPackageShow.as_view(), name="ckan_package_show"),
    path("3/action/package_search", views.CkanPackageSearch.as_view(), name="ckan_package_search"),
    path("open-data/<str:code>.csv", portal.open_data_csv, name="open_data_csv"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
