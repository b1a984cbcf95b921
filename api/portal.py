"""Plain pages of the API app: a user's personal access tokens (create — shown once —, list, revoke), open-data CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import ckan
from api.forms import TokenCreateForm
from api.selectors import tokens_of
from api.services import token_create, token_revoke
from poc.exports import streaming_csv_response


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = token_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenCreateForm()
    return render(request, "api/tokens.html", {"form": form, "secret": secret, "tokens": tokens_of(request.user)})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(tokens_of(request.user), pk=pk)
    token_revoke(token=token, by=request.user)
    messages.success(request, _("Token %(p)s… revoked.") % {"p": token.prefix})
    return redirect("api_tokens")


def open_data_csv(request: HttpRequest, code: str) -> StreamingHttpResponse:
    """All values of a public dataset as CSV (the CKAN resource), streamed; no login."""
    dataset = ckan.package_find(code)
    if dataset is None:
        raise Http404
    return streaming_csv_response(filename=dataset.code, rows=ckan.csv_rows(dataset))
