"""The second connection (poc.parallel_reads): used only where it sees what the request's own would, same answers."""

import logging
import threading

import pytest
from django.db import OperationalError, connection, transaction

from poc import parallel_reads
from poc.models import OrgUnit

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection is used on PostgreSQL only")


def backend() -> tuple[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return threading.current_thread().name, cursor.fetchone()[0]


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_runs_on_a_second_connection_and_sees_committed_rows(second_connection):
    OrgUnit.objects.create(code="77", name_th="จังหวัดสอง", name_en="Second", level=1)
    read = parallel_reads.start(lambda: (backend(), list(OrgUnit.objects.values_list("code", flat=True))))
    (thread, pid), codes = read()
    assert thread.startswith("poc-reader")
    assert pid != backend()[1]
    assert codes == ["77"]


@postgresql
@pytest.mark.django_db
def test_inside_a_transaction_the_read_runs_in_place_and_sees_its_writes(second_connection):
    with transaction.atomic():
        OrgUnit.objects.create(code="78", name_th="จังหวัดสาม", name_en="Third", level=1)
        (thread, pid), codes = parallel_reads.start(lambda: (backend(), list(OrgUnit.objects.values_list("code", flat=True))))()
        assert thread == threading.current_thread().name
        assert pid == backend()[1]
        assert codes == ["78"]  # another connection would not see the uncommitted unit


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_failing_second_connection_falls_back_to_the_requests_own(second_connection, caplog):
    def read() -> str:
        if threading.current_thread().name.startswith("poc-reader"):
            raise OperationalError("server closed the connection unexpectedly")
        return backend()[0]

    with caplog.at_level(logging.WARNING, logger="poc.parallel_reads"):
        assert parallel_reads.start(read)() == threading.current_thread().name
    assert "second connection failed" in caplog.text
    assert parallel_reads.start(lambda: backend()[0])().startswith("poc-reader")  # the next read reconnects


@pytest.mark.django_db
def test_off_the_read_runs_in_place(settings):
    settings.POC_PARALLEL_READS = False
    assert parallel_reads.start(lambda: threading.current_thread().name)() == threading.current_thread().name
