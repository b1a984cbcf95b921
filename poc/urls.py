from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from datasets.urls import open_data_patterns
from poc import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/issue/", views.accounts_issue, name="accounts_issue"),
    path("accounts/people/", views.people, name="people"),
    path("accounts/people/<int:pk>/export/", views.person_export_view, name="person_export"),
    path("accounts/people/<int:pk>/anonymise/", views.person_anonymise_view, name="person_anonymise"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("orgunits/groups/", views.orgunit_groups, name="orgunit_groups"),
    path("verification/", include("verification.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("assessment/", include("assessment.urls")),
    path("cockpit/", include("cockpit.urls")),
    path("admin/", admin.site.urls),
    path("risk/", include("risk.urls")),
    path("operations/", include("operations.urls")),
    # Backups, the contingency plan, training and usage were under /risk/ before the operations app: old links still work.
    re_path(
        r"^risk/(?P<rest>(?:backups|contingency|training|usage)/.*)$",
        RedirectView.as_view(url="/operations/%(rest)s", query_string=True, permanent=True),
    ),
    path("gis/", include("gis.urls")),
    path("documents/", include("documents.urls")),
    path("datasets/", include("datasets.urls")),
    path("open-data/", include(open_data_patterns)),
    path("api/", include("api.urls")),
    # Browsers ask for /favicon.ico on every site; the vendored icon lives with the static files (hashed in production).
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("img/favicon.ico"), permanent=True)),
]
# Thai error pages in the portal's layout (poc/errors.py)
handler400 = "poc.errors.bad_request"
handler403 = "poc.errors.permission_denied"
handler404 = "poc.errors.page_not_found"
handler500 = "poc.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
