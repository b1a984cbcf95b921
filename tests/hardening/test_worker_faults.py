"""A Celery worker killed in the middle of a large import: nothing partial is saved, and the import
completes when the task is redelivered to a new worker (acks_late + reject_on_worker_lost)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from datasets.models import DataElement, Dataset, DataValue, Topic, ValueType
from datasets.tasks import job_file, job_key, job_update
from poc.celery import app as celery_app
from poc.models import OrgUnit, OrgUnitLevel

ROOT = Path(__file__).resolve().parents[2]
VILLAGES, ELEMENTS = 2000, 25

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (settings.IS_POSTGIS and settings.REDIS_URL), reason="needs PostGIS and Redis (a real broker)"),
]


@pytest.fixture
def village_dataset(province, agency_a):
    parent = OrgUnit.objects.get(code="990101")
    villages = [OrgUnit(code=f"9901{n:06d}", name_th=f"หมู่ {n}", level=OrgUnitLevel.VILLAGE, parent=parent) for n in range(VILLAGES)]
    for unit in villages:
        unit.path = unit.build_path()
    OrgUnit.objects.bulk_create(villages)
    topic = Topic.objects.create(code="T98", name_th="ทดสอบ")
    dataset = Dataset.objects.create(code="DS-BIG", topic=topic, name_th="ใหญ่", agency=agency_a, collection_level=4, period_type="FY")
    for n in range(ELEMENTS):
        DataElement.objects.create(code=f"E{n:02d}", dataset=dataset, name_th=f"ข้อมูล {n}", value_type=ValueType.INTEGER, min_value=0)
    return dataset


def start_worker(tmp_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    db = settings.DATABASES["default"]
    env.update(
        DJANGO_SETTINGS_MODULE="poc.settings",
        DATABASE_URL=f"postgis://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        POC_CELERY_VISIBILITY_TIMEOUT="3",
        DEBUG="0",
        POC_HTTPS="0",
    )
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "poc", "worker", "-P", "solo", "-c", "1", "--without-heartbeat", "-l", "info"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_killed_worker_leaves_nothing_and_the_redelivered_import_completes(village_dataset, entry_a, tmp_path):
    header = "period,orgunit_code,orgunit_name," + ",".join(f"E{n:02d}" for n in range(ELEMENTS))
    rows = [f"FY2568,9901{n:06d},," + ",".join(str(n + e) for e in range(ELEMENTS)) for n in range(VILLAGES)]
    job_id = uuid.uuid4().hex
    path = job_file(job_id, "big.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]), encoding="utf-8")
    job_update(job_id, state="running", percent=0, dataset=village_dataset.pk, user=entry_a.pk, filename="big.csv", language="en")
    celery_app.send_task("datasets.tasks.values_import_task", args=[job_id])

    worker = start_worker(tmp_path)
    try:
        assert wait_for(lambda: (cache.get(job_key(job_id)) or {}).get("percent", 0) >= 50, 120), "the worker never reached the save"
        os.killpg(worker.pid, signal.SIGKILL)  # mid-save: the transaction dies with the worker
        worker.wait(10)
        assert not DataValue.objects.filter(element__dataset=village_dataset).exists()
        worker = start_worker(tmp_path)
        assert wait_for(lambda: (cache.get(job_key(job_id)) or {}).get("state") == "done", 180), "the import was not redelivered"
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    assert DataValue.objects.filter(element__dataset=village_dataset).count() == VILLAGES * ELEMENTS
    assert not path.exists()
