"""The app survives the database dropping its connection (as on a PostgreSQL restart) without a restart of its own:
persistent connections are health-checked at the start of each request (CONN_HEALTH_CHECKS)."""

import psycopg2
import pytest
from django.conf import settings
from django.db import close_old_connections, connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGIS, reason="PostgreSQL connection handling"),
]


def kill_backend(pid: int) -> None:
    params = settings.DATABASES["default"]
    other = psycopg2.connect(dbname=connection.settings_dict["NAME"], user=params["USER"], host=params["HOST"], port=params["PORT"] or 5432)
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0]
    other.close()


def test_requests_succeed_after_the_server_drops_the_connection(client, province):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] and settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert client.get("/gis/map/").status_code == 200
    pid = connection.connection.info.backend_pid
    kill_backend(pid)
    # What Django's WSGI handler does at the start of every request (the test client skips it):
    # with CONN_HEALTH_CHECKS the dead connection is noticed and replaced.
    close_old_connections()
    assert client.get("/gis/map/").status_code == 200
    assert connection.connection.info.backend_pid != pid  # a fresh connection replaced the dead one
