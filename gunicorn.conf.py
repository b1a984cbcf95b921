"""gunicorn as deployed (docker-compose.yml, README "Running beyond one machine", bench/_common.py).

The app is loaded once in the master and warmed (``poc.warmup``): URL modules and views imported, URL patterns,
templates, translations and formats, content types, GDAL/GEOS and the static manifest loaded. Each worker is forked
from that process, then opens its own database connection and Redis pool and warms the new PostgreSQL backend (PostGIS
library, catalog entries) before its first request, so its first request costs what its second does. Database
connections are closed before the fork; no cache/Redis client is created in the master (redis-py pools are per process).

Settings can be overridden on the command line (``-w``, ``-b``) or with GUNICORN_CMD_ARGS.
"""

import gc
import os

# Each worker keeps its database connection, and so the backend it warmed after the fork, for its whole life (not 60 s:
# a new backend's first queries cost ~20-50 ms more); max_requests recycles workers, health checks replace a dropped one.
os.environ.setdefault("POC_DB_CONN_MAX_AGE", "none")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))  # 2 × cores on a 2-core host, sync workers
max_requests = 2000
max_requests_jitter = 200  # workers recycle at different times, never all at once
preload_app = True
wsgi_app = "poc.wsgi:application"


def on_starting(server):
    """In the master, after the preloaded app is loaded and before it listens: no request waits for the warm-up.
    The allocator's thresholds are fixed here too (``poc.warmup.tune_allocator``): the workers inherit them."""
    from poc.warmup import tune_allocator, warm_up

    if not tune_allocator():
        server.log.info("malloc thresholds left as they are (no glibc)")
    if not server.cfg.preload_app:  # each worker loads the app itself: nothing to warm here
        return

    timings = warm_up()
    # What the master loaded lives as long as the workers: moved out of the collector's reach, a worker's full
    # collection no longer walks it (132 ms of a national choropleth's first build) nor copies its pages after the fork.
    gc.collect()
    gc.freeze()
    server.log.info("warm-up before fork: %s", ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))


def pre_fork(server, worker):
    """In the master before each fork (also when a worker is recycled): it holds no database connection to hand down."""
    from django.db import connections

    connections.close_all()


def post_fork(server, worker):
    """In each new worker, before its first request: its own database connections and Redis pool, opened now, the
    database backends behind them warmed (PostGIS loaded, the tables' catalog entries read), and the sign-in page
    served to no one (the request path's memory copied from the master now, not during a user's request): ``poc.warmup``."""
    from poc.warmup import warm_worker

    try:
        timings = warm_worker()
    except Exception:  # the database or Redis is down: the first request reports it as usual
        server.log.warning("worker %s could not open its connections before its first request", worker.pid, exc_info=True)
        return
    server.log.info("worker %s warm-up: %s", worker.pid, ", ".join(f"{name} {seconds:.3f} s" for name, seconds in timings.items()))
