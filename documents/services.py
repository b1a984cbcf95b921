"""Writes: documents with attachments, letters with running numbers, routing and read receipts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from poc import permissions
from poc.audit import audit
from poc.models import Agency, User
from poc.periods import fiscal_year_of

from .models import Attachment, Direction, Document, Letter, LetterCounter, LetterRoute, Series

ALLOWED_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".ppt", ".pptx", ".txt", ".csv", ".jpg", ".jpeg", ".png"}


class DocumentErrorCode(StrEnum):
    TOO_BIG = "attachment_too_big"
    FILE_TYPE = "attachment_type"
    AGENCY = "agency_not_allowed"


def agencies_user_may_file_for(user: User):
    """IT administrators file for any agency; everyone else for their own."""
    return permissions.restrict(Agency.objects.all(), user, "change")


def check_attachment(upload: UploadedFile) -> None:
    limit = settings.POC_DOCUMENT_MAX_BYTES
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("%(name)s: files of type %(ext)s are not accepted (allowed: %(allowed)s).")
            % {"name": upload.name, "ext": extension or "?", "allowed": ", ".join(sorted(ALLOWED_EXTENSIONS))},
            code=DocumentErrorCode.FILE_TYPE,
        )
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code=DocumentErrorCode.TOO_BIG,
        )


@transaction.atomic
def document_create(*, user: User, files: Iterable[UploadedFile] = (), **fields) -> Document:
    """A document and its attachments, all or nothing."""
    files = list(files)
    permissions.require(user, "change", fields["agency"])
    errors = []
    for upload in files:
        try:
            check_attachment(upload)
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    document = Document(created_by=user, **fields)
    document.full_clean()
    document.save()
    for upload in files:
        Attachment.objects.create(
            document=document,
            file=upload,
            name=Path(upload.name).name[:255],
            size=upload.size,
            content_type=(getattr(upload, "content_type", "") or "application/octet-stream")[:100],
        )
    audit(user, document, "add", f"{document.get_category_display()} {document.letter_number} ({len(files)} attachments)")
    return document


# --- Running numbers --------------------------------------------------------------------------------
def series_for(direction: str, is_circular: bool) -> Series:
    if direction == Direction.INCOMING:
        return Series.RECEIVED
    return Series.CIRCULAR if is_circular else Series.SENT


def format_letter_number(agency: Agency, number: int, circular: bool) -> str:
    """The official form: ``รย 0016.1/ว 123`` for circulars, ``รย 0016.1/123`` otherwise."""
    prefix = agency.letter_prefix or agency.code
    return f"{prefix}/ว {number}" if circular else f"{prefix}/{number}"


def next_number(*, agency: Agency, fiscal_year: int, series: str) -> int:
    """Take the next running number. Must run inside the caller's transaction: the counter row stays
    locked until it commits, so concurrent registrations queue up instead of taking the same number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must be called inside transaction.atomic()")
    try:
        with transaction.atomic():
            LetterCounter.objects.get_or_create(agency=agency, fiscal_year=fiscal_year, series=series)
    except IntegrityError:
        pass  # another transaction created the row first; lock it below
    counter = LetterCounter.objects.select_for_update().get(agency=agency, fiscal_year=fiscal_year, series=series)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def letter_register(
    *,
    user: User,
    agency: Agency,
    direction: str,
    date: dt.date,
    subject: str,
    sender: str,
    is_circular: bool = False,
    reference: str = "",
    recipients_text: str = "",
    to_agencies: Iterable[Agency] = (),
    to_users: Iterable[User] = (),
    attachment: UploadedFile | None = None,
    document: Document | None = None,
) -> Letter:
    """Register a letter in ``agency``'s book with the next running number of its fiscal year and
    series, and route it. Outgoing letters get their official number; incoming ones keep the sender's."""
    permissions.require(user, "change", agency)
    if attachment is not None:
        check_attachment(attachment)
    if document is not None:
        permissions.require(user, "view", document)
    circular = is_circular and direction == Direction.OUTGOING
    series = series_for(direction, circular)
    fiscal_year = fiscal_year_of(date)
    number = next_number(agency=agency, fiscal_year=fiscal_year, series=series)
    if direction == Direction.OUTGOING:
        reference = format_letter_number(agency, number, circular)
    elif not reference.strip():
        raise ValidationError(_("Enter the letter number printed on the incoming letter."), code="reference_required")
    letter = Letter(
        agency=agency,
        direction=direction,
        series=series,
        fiscal_year=fiscal_year,
        number=number,
        reference=reference.strip(),
        date=date,
        subject=subject,
        sender=sender,
        recipients_text=recipients_text,
        document=document,
        created_by=user,
    )
    if attachment is not None:
        letter.attachment = attachment
    letter.full_clean()
    letter.save()
    routes = [LetterRoute(letter=letter, agency=a) for a in to_agencies] + [LetterRoute(letter=letter, user=u) for u in to_users]
    LetterRoute.objects.bulk_create(routes)
    audit(user, letter, "add", f"{letter.get_direction_display()} {letter.reference} no. {number}/{fiscal_year}, {len(routes)} routes")
    return letter


def addressed_to(user: User) -> Q:
    """Routes to the user, or to the user's agency (a user without an agency has none: never ``IS NULL``)."""
    condition = Q(user=user)
    if user.agency_id:
        condition |= Q(agency=user.agency_id)
    return condition


def letters_visible_to(user: User):
    """The registers of agencies the user files for, plus letters routed to the user or their agency."""
    return Letter.objects.restrict(user, "view")


@transaction.atomic
def letter_mark_read(*, letter: Letter, user: User) -> int:
    """Read receipt: the first time the recipient (or someone of the recipient agency) opens it."""
    routes = LetterRoute.objects.filter(letter=letter, read_at__isnull=True).filter(addressed_to(user))
    return routes.update(read_at=timezone.now(), read_by=user)
