import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poc.settings")
application = get_wsgi_application()

# Import the URL configuration and every view now, as the worker starts, not inside its first request
# (which otherwise waited ~0.5 s on a busy machine, whatever page was asked).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
