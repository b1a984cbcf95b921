"""API errors as JSON with a clear (Thai by default) message, never a 500 for bad input."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from poc.periods import PeriodError


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, PeriodError):
        exc = exceptions.ValidationError({"detail": [str(exc)]})
    return drf_exception_handler(exc, context)
