"""What a fresh process would otherwise do on its first request, done once before gunicorn forks its workers.

``gunicorn.conf.py`` loads the app in the master (``preload_app``) and calls :func:`warm_up` there: every worker
is then forked with the URL modules and their views imported (WeasyPrint, plotly, openpyxl …), the URL resolvers
populated for each language and every URL pattern's expression compiled, every template compiled in the cached loader,
the translation catalogues and formats loaded, the models' lazily built parts and the content types cached, GDAL/GEOS
loaded and the static files manifest read. Nothing that holds a socket survives: database connections are closed
before the fork (each worker opens its own), and no cache or Redis client is touched here.

Then each worker calls :func:`warm_worker` (``post_fork``): its own connections, and the new PostgreSQL backend behind
its database connection made to load what the pages' first queries would otherwise load (read-only statements); the
same for the second connection a national map reads its values on (``poc.parallel_reads``); then it serves the
sign-in page to no one, so that the pages of the master's memory a request touches are copied before a user's request.
"""

from __future__ import annotations

import ctypes
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from importlib import import_module
from pathlib import Path

logger = logging.getLogger(__name__)


def _namespaces() -> list[tuple[str, object]]:
    """(namespace path "cockpit:" …, its resolver) of the root URL configuration, the root first ("")."""
    from django.urls import get_resolver

    found, pending = [], [("", get_resolver())]
    while pending:
        path, current = pending.pop()
        found.append((path, current))
        pending.extend((f"{path}{namespace}:", sub) for namespace, (_prefix, sub) in current.namespace_dict.items())
    return found


def _urls() -> int:
    """Import every URL module (and so every view module) and populate the resolvers in each language: the root, each
    namespace's (cockpit:, gis: …) and the one ``reverse()`` builds per namespace under its URL prefix."""
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    namespaces = _namespaces()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for path, resolver in namespaces:
                resolver.reverse_dict  # noqa: B018 - reading it populates it
                if path:
                    with suppress(NoReverseMatch):  # populates the resolver reverse() keeps for it, finds no such name
                        reverse(f"{path}poc-warm-up")
    return len(namespaces)


def _url_patterns() -> int:
    """Reverse every named URL once (placeholder arguments): ``reverse()`` compiles a regular expression per pattern on
    first use (~0.2 ms each, some 30 for a page's menu and links). Last of the steps, so that they are the newest
    entries of ``re``'s bounded cache when the workers fork."""
    from django.urls import NoReverseMatch, reverse

    reversed_ = 0
    for path, resolver in _namespaces():
        for name, entries in list(resolver.reverse_dict.lists()):
            if not isinstance(name, str):  # view callables: the same patterns under their names
                continue
            for possibilities, _pattern, _defaults, _converters in entries:
                for _result, params in possibilities:
                    with suppress(NoReverseMatch):
                        reverse(f"{path}{name}", kwargs=dict.fromkeys(params, "1"))
                    reversed_ += 1
    return reversed_


def _template_names(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.suffix in (".html", ".txt", ".xml") and p.is_file())


def _templates() -> int:
    """Compile every template into the cached loader (one compiled copy per process, shared after the fork)."""
    from django.template import TemplateSyntaxError, engines

    compiled = 0
    for engine in engines.all():
        directories = [Path(d) for d in engine.template_dirs]
        for directory in directories:
            for name in _template_names(directory):
                try:
                    engine.get_template(name)
                except (TemplateSyntaxError, UnicodeDecodeError, LookupError, ImportError):
                    # Not a template of this engine (or a library's optional one): compiled on use, if ever used.
                    logger.debug("warm-up: %s not compiled", name, exc_info=True)
                    continue
                compiled += 1
    return compiled


def _translations() -> int:
    """Translation catalogues, the locale checks, each language's date and number formats and the time zone."""
    from django.conf import settings
    from django.utils import formats, timezone, translation
    from django.utils.translation import gettext

    for code, _name in settings.LANGUAGES:
        translation.check_for_language(code)
        with translation.override(code):
            gettext("Management cockpit")
            for name in formats.FORMAT_SETTINGS:
                formats.get_format(name)
    timezone.localtime()  # loads the default time zone
    return len(settings.LANGUAGES)


def _request_imports() -> int:
    """What Django builds on a process's first request only: the context processors, auth backends, messages storage
    and Redis library (imported), the models' field maps, joins and related managers' classes (built on first use of ``user.groups`` …), the
    regular expressions Django compiles on first use (host, Accept-Language, gzip, Cache-Control …)."""
    import sys

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import get_backends
    from django.template import engines
    from django.utils.functional import SimpleLazyObject
    from django.utils.module_loading import import_string

    built = 0
    for engine in engines.all():
        built += len(getattr(getattr(engine, "engine", None), "template_context_processors", ()))
    get_backends()
    import_string(settings.MESSAGE_STORAGE)
    if settings.REDIS_URL:  # the library only (~70 ms a worker otherwise spends in post_fork): no client, no socket
        import_module("redis")
    for model in apps.get_models():
        model._meta._forward_fields_map, model._meta.fields_map  # noqa: B018 - cached on first lookup by name
        for field in model._meta.get_fields():
            for joins in ("path_infos", "reverse_path_infos"):  # the joins a lookup across a relation builds, cached
                if hasattr(type(field), joins):
                    getattr(field, joins)
            accessor = field.get_accessor_name() if field.auto_created and not field.concrete else field.name
            descriptor = model.__dict__.get(accessor or "")
            if hasattr(type(descriptor), "related_manager_cls"):
                descriptor.related_manager_cls  # noqa: B018 - a cached class, built on first read
                built += 1
    for module in list(sys.modules.values()):
        for value in list(getattr(module, "__dict__", {}).values()):
            if type(value) is SimpleLazyObject and "_lazy_re_compile" in getattr(value._setupfunc, "__qualname__", ""):
                value.pattern  # noqa: B018 - compiles it
                built += 1
    return built


def _geo() -> str:
    """Load GDAL and GEOS (ctypes libraries) and build one geometry, without opening any data source."""
    from django.contrib.gis.gdal import OGRGeometry, gdal_version
    from django.contrib.gis.geos import GEOSGeometry, geos_version

    GEOSGeometry("POINT (100.5 13.7)", srid=4326).buffer(0.1)
    OGRGeometry("POINT (100.5 13.7)")
    return f"GDAL {gdal_version().decode()}, GEOS {geos_version().decode()}"


def _content_types() -> int:
    """Fill the per-process content type caches (Django's and django-guardian's) that permission checks read: the
    workers inherit them instead of each asking the database on its first request."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from guardian import shortcuts

    models = apps.get_models()
    ContentType.objects.get_for_models(*models)
    cached = getattr(shortcuts, "_get_ct_cached", None)  # guardian's per-process cache of "app.codename" lookups
    if cached is not None:
        from poc.models import Agency

        for codename, _label in Agency._meta.permissions:  # the object permissions agencies_for() asks about
            cached(Agency._meta.app_label, codename)
    return len(models)


def _static() -> str:
    """Read the hashed static files manifest once (absent in development: nothing to read)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        return staticfiles_storage.url("css/poc.css")
    except ValueError:  # no manifest collected yet (tests, development)
        return ""


STEPS: dict[str, Callable[[], object]] = {
    "urls": _urls,
    "templates": _templates,
    "translations": _translations,
    "request imports": _request_imports,
    "geo": _geo,
    "static": _static,
    "content types": _content_types,
    "url patterns": _url_patterns,
}


def warm_up() -> dict[str, float]:
    """Run every step (a failing step is logged, never fatal) and close database connections; seconds per step."""
    from django.db import connections

    timings: dict[str, float] = {}
    for name, step in STEPS.items():
        started = time.perf_counter()
        try:
            step()
        except Exception:  # a warm-up must never keep the server from starting: the first request does it instead
            logger.exception("warm-up step %s failed", name)
        timings[name] = round(time.perf_counter() - started, 3)
    connections.close_all()  # sockets must not be shared by the forked workers
    return timings


# --- The allocator, in the master before the fork (workers inherit its settings) -----------------------
# glibc's malloc maps each block above an adaptive threshold (from 128 KB) with mmap and unmaps it when freed, and gives
# freed heap above 128 KB back to the system: every ~3 MB buffer of a national map (the Redis reply, the unpickled body,
# the database's reply, the joined gzip body) then costs fresh zeroed pages, page faults and system calls, and whether
# it does depends on which sizes the process happened to free before (a worker that had built a map answered a cached
# one in ~10 ms, one that had not in ~25). Fixed thresholds keep such buffers in the heap for reuse; a worker keeps up
# to 128 MB of freed heap.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # glibc's largest (64-bit): only blocks above it are mapped
TRIM_THRESHOLD = 128 << 20


def tune_allocator() -> bool:
    """Fixed mmap and trim thresholds for glibc's malloc (see above); False where there is no glibc (nothing done)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


# --- In each worker, after the fork ---------------------------------------------------------------
def _backend_statements(connection) -> list[str]:
    """Read-only statements that make a new PostgreSQL backend load what the pages' queries need: PostGIS's library
    (loaded on a backend's first geometry, ~25 ms) and each table's and index's catalog entries (planning a query
    opens the table and every index on it). Planned, never run: no row is read or written."""
    from django.apps import apps

    statements = ["SELECT postgis_lib_version()"] if getattr(connection.ops, "postgis", False) else []
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.db_table in existing})
    return statements + [f"EXPLAIN SELECT * FROM {connection.ops.quote_name(table)}" for table in tables]


def _warm_backend() -> None:
    """Open the calling thread's database connection and make its PostgreSQL backend load what pages' queries need."""
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":  # SQLite has no server backend to warm
        with connection.cursor() as cursor:
            cursor.execute(";".join(_backend_statements(connection)))  # one round trip


def warm_worker() -> dict[str, float]:
    """Open this worker's own database connection and Redis pool and warm the database backend behind it, before the
    worker's first request (gunicorn ``post_fork``); the second connection too (``poc.parallel_reads``), in its thread.
    Seconds per step. Read-only: no request, user, audit or usage row."""
    from django.core.cache import cache
    from django.db import connection

    from operations.usage import connect_buffer
    from poc import parallel_reads

    timings: dict[str, float] = {}
    started = time.perf_counter()
    connection.ensure_connection()
    cache.get("poc:warm-up")
    connect_buffer()  # the page-view buffer's own Redis client
    timings["connections"] = round(time.perf_counter() - started, 3)
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        _warm_backend()
        timings["database backend"] = round(time.perf_counter() - started, 3)
    if parallel_reads.usable():
        started = time.perf_counter()
        parallel_reads.start(_warm_backend)()
        timings["second connection"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    status = _warm_request()
    timings[f"sign-in page ({status})"] = round(time.perf_counter() - started, 3)
    return timings


def _warm_request() -> str:
    """Serve the sign-in page to no one through the whole WSGI stack (middleware, session, locale, template, gzip).

    The master's memory is shared with the workers until written, and Python writes to every object it uses (its
    reference count): a worker's first request copied ~2,000 pages (~8 MB) of what the request path touches, ~10 ms more
    than its second. Served here, before the worker takes requests, a user's first costs less (a forked worker's first
    choropleth: ~23 → ~15 ms). Anonymous and read-only: no session, user, audit or page view. Returns the status line."""
    import io
    import sys

    from django.conf import settings
    from django.urls import reverse

    from poc.wsgi import application

    # A host the site accepts: the first one listed (".example.go.th" accepts example.go.th), any when "*".
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h.lstrip(".") not in ("*", "")), "localhost")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": reverse("login"),
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "HTTP_ACCEPT_LANGUAGE": settings.LANGUAGE_CODE,
        "HTTP_ACCEPT_ENCODING": "gzip",
        "HTTP_X_FORWARDED_PROTO": "https",  # behind the proxy that terminates TLS (SECURE_PROXY_SSL_HEADER): no redirect
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    statuses: list[str] = []
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        for _chunk in body:
            pass
    finally:
        body.close()  # request_finished, as after any request
    return statuses[0] if statuses else "no response"
