"""The deployed WSGI application with one response header naming the worker process that answered.

Benchmarks only (``gunicorn wsgi_probe:application --pythonpath bench``): it lets the client tell each
worker's first (cold) request from warm ones without guessing which worker the kernel handed a connection.
"""

from __future__ import annotations

import os

from poc.wsgi import application as deployed


def application(environ, start_response):
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Bench-Worker", str(os.getpid()))], exc_info)

    return deployed(environ, start)
