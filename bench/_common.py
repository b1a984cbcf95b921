"""Shared set-up for the benchmark scripts: own database from DATABASE_URL, migrate, seed, serve.

Not a test helper: the scripts print figures. Every script creates the PostgreSQL database named in
DATABASE_URL when it does not exist yet, then migrates it.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(default_url: str) -> None:
    """Point Django at DATABASE_URL (``default_url`` if unset), create the database if needed, migrate."""
    os.environ.setdefault("DATABASE_URL", default_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poc.settings")
    os.environ.setdefault("POC_HTTPS", "0")  # plain HTTP on loopback: no redirect to https
    url = urlparse(os.environ["DATABASE_URL"])
    if url.scheme.startswith("post"):
        import psycopg2

        name = url.path.lstrip("/")
        admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_demo_once() -> None:
    from django.core.management import call_command

    from poc.models import User

    if not User.objects.filter(username="governor").exists():
        print("seeding the demo province ...", flush=True)
        call_command("seed_demo", verbosity=0)


def ensure_national(values: int) -> int:
    """generate_national unless the benchmark dataset already holds values; returns the value count."""
    from django.core.management import call_command

    from benchdata.values import BENCH_DATASET
    from datasets.models import DataValue

    existing = DataValue.objects.filter(element__dataset__code=BENCH_DATASET).count()
    if existing:
        from gis.models import OrgUnitShape, OverviewFeature

        if OrgUnitShape.objects.exists() and not OverviewFeature.objects.exists():  # generated before country-wide borders
            print("building the borders for country-wide maps (simplify_boundaries, once) ...", flush=True)
            call_command("simplify_boundaries")
        return existing
    print(f"generating the national hierarchy and {values:,} values (once per database) ...", flush=True)
    started = time.perf_counter()
    call_command("generate_national", "--values", str(values))
    print(f"  generate_national: {time.perf_counter() - started:.1f} s", flush=True)
    return DataValue.objects.filter(element__dataset__code=BENCH_DATASET).count()


def timed(function, repeat: int = 5) -> tuple[float, float, object]:
    """(first call, median of the following ``repeat`` calls) in seconds, and the last result."""
    started = time.perf_counter()
    result = function()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times), result


def session_cookie(username: str) -> str:
    """A signed-in session for ``username`` created directly (no login form, no rate limiter involved)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from poc.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def page_paths() -> dict[str, str]:
    """The pages on this checkout: home always; cockpit, map and data entry when their apps have landed."""
    from django.urls import NoReverseMatch, get_resolver, reverse

    found = {"home": reverse("home")}
    wanted = {"cockpit": ("cockpit", ("tiles", "")), "map": ("gis", ("map",)), "data entry": ("datasets", ("entry",))}
    resolver = get_resolver()
    for label, (namespace, hints) in wanted.items():
        if namespace not in resolver.namespace_dict:
            continue
        names = [p.name for p in resolver.namespace_dict[namespace][1].url_patterns if getattr(p, "name", None)]
        for name in sorted(names, key=lambda n: (not any(h and h in n for h in hints), n)):
            try:
                found[label] = reverse(f"{namespace}:{name}")
                break
            except NoReverseMatch:
                continue
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_STATIC_ROOTS: dict[str, str] = {}


def _bare_config() -> str:
    """An empty gunicorn config (else gunicorn reads ./gunicorn.conf.py): plain gunicorn, no preload."""
    path = Path(tempfile.gettempdir()) / "poc-bench-bare.conf.py"
    path.write_text("# gunicorn without preload or warm-up (bench/_common.py)\n")
    return str(path)


WORKER_SETTLE_SECONDS = 2.0  # a forked worker's post_fork (connections, backend warm-up) takes ~0.1 s on a quiet host


def _await_workers(master: int, workers: int, deadline: float) -> None:
    """Wait until the master has forked every worker and they have had time to finish ``post_fork``.

    The port accepts as soon as the master listens, before any worker exists: without this the first requests
    would queue behind the workers' start-up and be counted as each worker's first request. A worker recycled
    in service (max_requests) starts while the others serve, so users never meet that wait; what they do meet,
    a worker's first request once it is up, is still measured apart as "cold".
    """
    children = Path(f"/proc/{master}/task/{master}/children")
    while time.time() < deadline and children.exists():
        if len(children.read_text().split()) >= workers:
            break
        time.sleep(0.1)
    time.sleep(WORKER_SETTLE_SECONDS)


@contextmanager
def gunicorn(workers: int = 2, threads: int = 1, probe: bool = False, preload: bool = True):
    """collectstatic with the production storage, then gunicorn on 127.0.0.1 (DEBUG off, POC_HTTPS=0).

    ``probe``: serve ``bench/wsgi_probe.py`` (the deployed app plus an X-Bench-Worker header naming the worker).
    ``preload``: with the deployed ``gunicorn.conf.py`` (app loaded and warmed in the master before the workers
    fork); False starts bare gunicorn, each worker loading the app itself (what deployments did before).
    """
    static_root = _STATIC_ROOTS.get("collected") or tempfile.mkdtemp(prefix="poc-bench-static-")
    env = {**os.environ, "DEBUG": "0", "POC_HTTPS": "0", "STATIC_ROOT": static_root, "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    python = sys.executable
    if "collected" not in _STATIC_ROOTS:  # once per process: the files do not change between servers
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        _STATIC_ROOTS["collected"] = static_root
    port = free_port()
    app = ["--pythonpath", str(ROOT / "bench"), "wsgi_probe:application"] if probe else ["poc.wsgi"]
    command = [
        python,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "gunicorn.conf.py") if preload else _bare_config(),
        *app,
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("gunicorn did not start")
        _await_workers(process.pid, workers, deadline)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
