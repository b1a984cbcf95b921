"""Document permissions and search; correspondence running numbers, routing and read receipts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from documents import services
from documents.models import Attachment, Category, Direction, Document, LetterRoute, Visibility
from documents.selectors import documents_search


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_doc(user, agency, visibility, subject, **extra) -> Document:
    fields = {"category": Category.CIRCULAR, "date": dt.date(2025, 3, 4), "letter_number": "ทส 0001/ว 12", **extra}
    return services.document_create(user=user, agency=agency, visibility=visibility, subject=subject, **fields)


@pytest.fixture
def docs(entry_a, entry_b, agency_a, agency_b):
    return {
        "public": make_doc(entry_a, agency_a, Visibility.PUBLIC, "ประกาศจังหวัดเรื่องการสำรองข้อมูล"),
        "internal": make_doc(entry_a, agency_a, Visibility.INTERNAL, "รายงานการประชุมคณะทำงาน"),
        "a_only": make_doc(
            entry_a,
            agency_a,
            Visibility.AGENCY,
            "คู่มือรหัสผ่านภายในหน่วยงานเอ",
            files=[SimpleUploadedFile("secret.pdf", b"%PDF-1.4 secret", content_type="application/pdf")],
        ),
        "b_only": make_doc(entry_b, agency_b, Visibility.AGENCY, "บันทึกภายในหน่วยงานบี"),
    }


def test_agency_only_documents_are_invisible_to_other_agencies(client, docs, entry_a, entry_b, it_admin):
    assert set(Document.objects.restrict(entry_b, "view")) == {docs["public"], docs["internal"], docs["b_only"]}
    assert set(Document.objects.restrict(entry_a, "view")) == {docs["public"], docs["internal"], docs["a_only"]}
    assert Document.objects.restrict(it_admin, "view").count() == 4

    client.force_login(entry_b)
    assert client.get(reverse("documents:document_detail", args=[docs["a_only"].pk])).status_code == 404
    attachment = Attachment.objects.get(document=docs["a_only"])
    assert client.get(reverse("documents:attachment_download", args=[attachment.pk])).status_code == 404
    listing = client.get(reverse("documents:document_list"), {"q": "คู่มือ"}).content.decode()
    assert "คู่มือรหัสผ่าน" not in listing

    client.force_login(entry_a)
    response = client.get(reverse("documents:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 secret"


def test_anonymous_visitors_see_public_documents_only(client, docs):
    page = client.get(reverse("documents:document_list")).content.decode()
    assert "ประกาศจังหวัด" in page and "รายงานการประชุมคณะทำงาน" not in page
    assert client.get(reverse("documents:document_detail", args=[docs["internal"].pk])).status_code == 404


def test_search_finds_thai_words_inside_phrases_and_letter_numbers(docs, entry_a, agency_a):
    english = make_doc(entry_a, agency_a, Visibility.INTERNAL, "Backup policy", summary="Nightly backups are verified by restoring")
    assert list(documents_search(entry_a, "สำรองข้อมูล")) == [docs["public"]]
    assert list(documents_search(entry_a, "restoring")) == [english]
    if connection.vendor == "postgresql":  # full text: words in any order
        assert list(documents_search(entry_a, "restoring backups")) == [english]
    assert set(documents_search(entry_a, "ว 12")) >= {docs["public"], docs["a_only"]}
    assert list(documents_search(entry_a, "", category=Category.MANUAL)) == []


def test_attachments_over_the_limit_or_of_a_forbidden_type_save_nothing(settings, entry_a, agency_a, en):
    settings.POC_DOCUMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("big.pdf", b"x" * 11, content_type="application/pdf")
    with pytest.raises(ValidationError, match="the limit is 10"):
        make_doc(entry_a, agency_a, Visibility.INTERNAL, "x", files=[big])
    with pytest.raises(ValidationError, match=r"files of type \.exe are not accepted"):
        make_doc(entry_a, agency_a, Visibility.INTERNAL, "x", files=[SimpleUploadedFile("run.exe", b"MZ")])
    assert not Document.objects.exists() and not Attachment.objects.exists()


def test_user_cannot_file_documents_for_another_agency(entry_a, agency_b):
    with pytest.raises(PermissionDenied):
        make_doc(entry_a, agency_b, Visibility.PUBLIC, "x")


def register(user, agency, date, circular=False, direction=Direction.OUTGOING, **extra):
    return services.letter_register(
        user=user, agency=agency, direction=direction, date=date, subject="เรื่อง", sender=str(agency), is_circular=circular, **extra
    )


def test_running_numbers_per_agency_fiscal_year_and_series(entry_a, entry_b, agency_a, agency_b):
    first = register(entry_a, agency_a, dt.date(2025, 9, 29))  # FY2568
    circular = register(entry_a, agency_a, dt.date(2025, 9, 30), circular=True)
    second = register(entry_a, agency_a, dt.date(2025, 9, 30))
    other_agency = register(entry_b, agency_b, dt.date(2025, 9, 30))
    next_year = register(entry_a, agency_a, dt.date(2025, 10, 1))  # FY2569 starts again at 1
    received = register(entry_a, agency_a, dt.date(2025, 10, 2), direction=Direction.INCOMING, reference="รย 0017.3/ว 88")

    assert [first.reference, circular.reference, second.reference] == ["ทส 0001/1", "ทส 0001/ว 1", "ทส 0001/2"]
    assert (first.fiscal_year, next_year.fiscal_year) == (2568, 2569)
    assert other_agency.reference == "ทส 0002/1"
    assert (next_year.number, next_year.reference) == (1, "ทส 0001/1")
    assert (received.number, received.reference, received.series) == (1, "รย 0017.3/ว 88", "received")


def test_incoming_letters_need_the_senders_number(entry_a, agency_a, en):
    with pytest.raises(ValidationError, match="letter number printed on the incoming letter"):
        register(entry_a, agency_a, dt.date(2025, 1, 5), direction=Direction.INCOMING)


def test_routing_and_read_receipts(client, entry_a, entry_b, verifier_a, agency_a, agency_b, docs):
    letter = register(
        entry_a, agency_a, dt.date(2025, 5, 1), circular=True, to_agencies=[agency_b], to_users=[verifier_a], document=docs["public"]
    )
    assert letter.reference == "ทส 0001/ว 1"

    client.force_login(entry_b)
    assert letter.reference in client.get(reverse("documents:letter_list")).content.decode()  # in agency B's inbox
    assert client.get(reverse("documents:letter_detail", args=[letter.pk])).status_code == 200
    route_b = LetterRoute.objects.get(letter=letter, agency=agency_b)
    assert route_b.read_by == entry_b and route_b.read_at is not None
    assert LetterRoute.objects.get(letter=letter, user=verifier_a).read_at is None

    outsider = agency_b.users.create(username="outsider_c")
    outsider.agency = None
    outsider.save()
    client.force_login(outsider)
    assert client.get(reverse("documents:letter_detail", args=[letter.pk])).status_code == 404
