"""What a fresh process would otherwise do on its first request, done once before gunicorn forks its workers.

``gunicorn.conf.py`` loads the app in the master (``preload_app``) and calls :func:`warm_up` there: every worker
is then forked with the URL modules and their views imported (WeasyPrint, plotly, openpyxl …), the URL resolver
populated for each language, every template compiled in the cached loader, the translation catalogues loaded,
GDAL/GEOS loaded and the static files manifest read. Nothing that holds a socket survives: database connections
are closed before the fork (each worker opens its own), and no cache or Redis client is touched here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)


def _urls() -> int:
    """Import every URL module (and so every view module) and populate the resolver in each language."""
    from django.conf import settings
    from django.urls import get_resolver, reverse
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            pending = [resolver]
            while pending:  # the root and every namespace (cockpit:, gis: …) keep their own reverse lookups
                current = pending.pop()
                current.reverse_dict  # noqa: B018 - reading it populates it
                pending.extend(sub for _prefix, sub in current.namespace_dict.values())
            reverse("home")
    return len(resolver.url_patterns)


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
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            gettext("Management cockpit")
    return len(settings.LANGUAGES)


def _geo() -> str:
    """Load GDAL and GEOS (ctypes libraries) and build one geometry, without opening any data source."""
    from django.contrib.gis.gdal import OGRGeometry, gdal_version
    from django.contrib.gis.geos import GEOSGeometry, geos_version

    GEOSGeometry("POINT (100.5 13.7)", srid=4326).buffer(0.1)
    OGRGeometry("POINT (100.5 13.7)")
    return f"GDAL {gdal_version().decode()}, GEOS {geos_version().decode()}"


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
    "geo": _geo,
    "static": _static,
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
