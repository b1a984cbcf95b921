"""Reads: document search (PostgreSQL full text on PostGIS, substring fallback on SpatiaLite), inbox."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from poc.models import User

from .models import Document, Letter, LetterRoute
from .services import addressed_to


def documents_search(user: User, text: str = "", category: str = "", agency_id: int | None = None) -> QuerySet[Document]:
    documents = Document.objects.restrict(user, "view").select_related("agency").prefetch_related("attachments")
    if category:
        documents = documents.filter(category=category)
    if agency_id:
        documents = documents.filter(agency_id=agency_id)
    text = text.strip()
    if not text:
        return documents
    # Thai is written without spaces between words, so a word inside a Thai phrase is not a token for
    # the full-text parser: substring matches are kept next to the ranked full-text matches.
    substring = Q(subject__icontains=text) | Q(letter_number__icontains=text) | Q(summary__icontains=text)
    if connection.vendor != "postgresql":
        return documents.filter(substring)
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = SearchVector("letter_number", weight="A", config="simple") + SearchVector("subject", weight="A", config="simple")
    vector += SearchVector("summary", weight="B", config="simple")
    query = SearchQuery(text, search_type="websearch", config="simple")
    # Filter on the @@ match itself: ts_rank gives non-matching rows a tiny non-zero rank.
    documents = documents.annotate(search=vector, rank=SearchRank(vector, query))
    return documents.filter(Q(search=query) | substring).order_by("-rank", "-date", "-id")


def inbox(user: User) -> QuerySet[LetterRoute]:
    """Letters routed to the user or to the user's agency, unread first."""
    return (
        LetterRoute.objects.filter(addressed_to(user))
        .select_related("letter", "letter__agency", "read_by")
        .order_by("read_at", "-letter__date", "-pk")
    )


def register(user: User, agency_id: int, direction: str = "", fiscal_year: int | None = None) -> QuerySet[Letter]:
    letters = Letter.objects.filter(agency_id=agency_id).select_related("document").prefetch_related("routes")
    if direction:
        letters = letters.filter(direction=direction)
    if fiscal_year:
        letters = letters.filter(fiscal_year=fiscal_year)
    return letters
