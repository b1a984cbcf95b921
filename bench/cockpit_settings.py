"""Production settings for the load benchmark, with plain static storage: the vendored Leaflet
references a source map that is not shipped, so the hashed-manifest collectstatic cannot run here."""

from poc.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
