"""Redis (broker and cache) dies in the middle of an import: the import is all or nothing, and once Redis is back
the same worker takes new work without a restart. Uses a private Redis server, not the machine's."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from datasets.models import DataValue
from datasets.tasks import job_file, job_key
from tests.hardening.test_worker_faults import ELEMENTS, VILLAGES, village_dataset, wait_for  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
REDIS = shutil.which("redis-server")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (settings.IS_POSTGIS and REDIS), reason="needs PostGIS and redis-server"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    assert wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 10)
    return process


def start_worker(url: str, tmp_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    db = settings.DATABASES["default"]
    env.update(
        DJANGO_SETTINGS_MODULE="poc.settings",
        DATABASE_URL=f"postgis://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=url,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        POC_CELERY_VISIBILITY_TIMEOUT="3",
        DEBUG="0",
        POC_HTTPS="0",
    )
    command = [sys.executable, "-m", "celery", "-A", "poc", "worker", "-P", "solo", "-c", "1", "-l", "info"]
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def queue_import(client: Celery, cache: RedisCache, dataset, user) -> str:
    header = "period,orgunit_code,orgunit_name," + ",".join(f"E{n:02d}" for n in range(ELEMENTS))
    rows = [f"FY2568,9901{n:06d},," + ",".join(str(n + e) for e in range(ELEMENTS)) for n in range(VILLAGES)]
    job_id = uuid.uuid4().hex
    path = job_file(job_id, "big.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]), encoding="utf-8")
    cache.set(job_key(job_id), {"state": "running", "percent": 0, "dataset": dataset.pk, "user": user.pk, "filename": "big.csv"}, 3600)
    client.send_task("datasets.tasks.values_import_task", args=[job_id])
    return job_id


def test_redis_dies_mid_import_then_the_worker_recovers(village_dataset, entry_a, tmp_path):  # noqa: F811
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis = start_redis(port)
    cache = RedisCache(url, {})
    client = Celery(broker=url, set_as_current=False)  # never the default app other tests (threads) send through
    worker = start_worker(url, tmp_path)
    values = DataValue.objects.filter(element__dataset=village_dataset)
    try:
        job_id = queue_import(client, cache, village_dataset, entry_a)
        assert wait_for(lambda: (cache.get(job_key(job_id)) or {}).get("percent", 0) >= 50, 120)
        redis.send_signal(signal.SIGKILL)  # broker and cache gone mid-import
        redis.wait(10)
        time.sleep(5)
        assert values.count() in (0, VILLAGES * ELEMENTS)  # all or nothing, never part of the file
        values.delete()

        redis = start_redis(port)  # an empty Redis, as after a restart of one that keeps nothing on disk
        job_id = queue_import(client, cache, village_dataset, entry_a)
        assert wait_for(lambda: (cache.get(job_key(job_id)) or {}).get("state") == "done", 180), "the worker did not recover"
        assert values.count() == VILLAGES * ELEMENTS
    finally:
        for process in (worker,):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if redis.poll() is None:
            redis.kill()
            redis.wait(10)
