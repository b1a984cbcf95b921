"""Document library and correspondence register: thin views over services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from poc.params import fiscal_year_param, id_param
from poc.periods import fiscal_year_of

from . import selectors, services
from .forms import DocumentForm, LetterForm, SearchForm
from .models import Attachment, Direction, Document, Letter


def document_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    agency = data.get("agency")
    documents = selectors.documents_search(request.user, data.get("q", ""), data.get("category", ""), agency.pk if agency else None)
    page = Paginator(documents, 25).get_page(request.GET.get("page"))
    return render(request, "documents/document_list.html", {"form": form, "page": page})


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.restrict(request.user, "view").select_related("agency"), pk=pk)
    letters = document.letters.all() if request.user.is_authenticated else []
    return render(request, "documents/document_detail.html", {"document": document, "letters": letters})


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.filter(document__in=Document.objects.restrict(request.user, "view")), pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type)


@login_required
def document_create(request: HttpRequest) -> HttpResponse:
    agencies = services.agencies_user_may_file_for(request.user)
    form = DocumentForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        try:
            document = services.document_create(user=request.user, files=form.cleaned_data["files"], **fields)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Document saved."))
            return redirect("documents:document_detail", pk=document.pk)
    return render(request, "documents/document_form.html", {"form": form})


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    agencies = services.agencies_user_may_file_for(request.user)
    agency = agencies.filter(pk=id_param(request.GET, "agency", request.user.agency_id)).first() or agencies.first()
    fiscal_year = fiscal_year_param(request.GET, default=fiscal_year_of(timezone.localdate()))
    direction = request.GET.get("direction", "")
    letters = selectors.register(request.user, agency.pk, direction, fiscal_year) if agency else Letter.objects.none()
    context = {
        "agency": agency,
        "agencies": agencies,
        "fiscal_year": fiscal_year,
        "direction": direction,
        "directions": Direction.choices,
        "page": Paginator(letters, 50).get_page(request.GET.get("page")),
        "inbox": selectors.inbox(request.user)[:50],
    }
    return render(request, "documents/letter_list.html", context)


@login_required
def letter_create(request: HttpRequest) -> HttpResponse:
    agencies = services.agencies_user_may_file_for(request.user)
    documents = Document.objects.restrict(request.user, "view").filter(agency__in=agencies)
    form = LetterForm(request.POST or None, request.FILES or None, agencies=agencies, documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_register(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Registered as %(ref)s (number %(n)d of fiscal year %(fy)d).")
                % {"ref": letter.reference, "n": letter.number, "fy": letter.fiscal_year},
            )
            return redirect("documents:letter_detail", pk=letter.pk)
    return render(request, "documents/letter_form.html", {"form": form})


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(services.letters_visible_to(request.user).select_related("agency", "document"), pk=pk)
    services.letter_mark_read(letter=letter, user=request.user)
    routes = letter.routes.select_related("agency", "user", "read_by")
    return render(request, "documents/letter_detail.html", {"letter": letter, "routes": routes})


@login_required
def letter_attachment(request: HttpRequest, pk: int) -> FileResponse:
    letter = get_object_or_404(services.letters_visible_to(request.user), pk=pk, attachment__gt="")
    return FileResponse(letter.attachment.open("rb"), as_attachment=True)
