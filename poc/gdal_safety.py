"""Keep GDAL off the network in every process (web, Celery, commands).

GDAL 3.6 has no single switch for this, so each way out is closed: ``/vsicurl/`` and friends may
open no file at all, libcurl goes through a proxy that refuses connections with a one-second
timeout, and PROJ never downloads grids. Our own checks (:mod:`poc.geodata`) refuse network paths
and external references before GDAL sees a file; this is the second wall behind them. (libcurl
still honours a ``no_proxy`` environment variable; deployments should not list hosts there.)
"""

from __future__ import annotations

import ctypes

# A port nothing listens on: a connection attempt fails at once and no request leaves the host.
REFUSING_PROXY = "127.0.0.1:9"
NETWORK_OFF = {
    # /vsicurl/, /vsis3/, /vsigs/…: only a file of this (impossible) name would be fetched.
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/poc-network-disabled",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".poc-network-disabled",
    # CPLHTTPFetch (CRS URLs, http:// data sources): everything goes to a refusing proxy, fast.
    "GDAL_HTTP_PROXY": REFUSING_PROXY,
    "GDAL_HTTPS_PROXY": REFUSING_PROXY,
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
}


def disable_gdal_network() -> None:
    """Set the configuration options above process-wide (idempotent; called from ``PocConfig.ready``)."""
    from django.contrib.gis.gdal.libgdal import lgdal

    set_option = lgdal.CPLSetConfigOption
    set_option.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    set_option.restype = None
    for key, value in NETWORK_OFF.items():
        set_option(key.encode(), value.encode())
    enable_proj_network = getattr(lgdal, "OSRSetPROJEnableNetwork", None)  # GDAL ≥ 3.4
    if enable_proj_network is not None:
        enable_proj_network.argtypes = [ctypes.c_int]
        enable_proj_network.restype = None
        enable_proj_network(0)


def gdal_option(key: str) -> str | None:
    """The current value of a GDAL configuration option (for tests and ``manage.py check``)."""
    from django.contrib.gis.gdal.libgdal import lgdal

    get_option = lgdal.CPLGetConfigOption
    get_option.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    get_option.restype = ctypes.c_char_p
    value = get_option(key.encode(), None)
    return value.decode() if value is not None else None
