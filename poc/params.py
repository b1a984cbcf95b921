"""Typed parsing of query-string and form parameters, with a Thai message when a value is unusable.

Views read ``request.GET``/``request.POST`` through these helpers instead of calling ``int()`` on
them: ``"²".isdigit()`` is true yet ``int("²")`` fails, ``10**23`` overflows a database integer and
``FY99999`` has no calendar date. A bad value raises :class:`BadParameter` (Django's ``BadRequest``),
which the portal's 400 page shows in the user's language; nothing is read or written first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.utils.translation import gettext as _

from poc.periods import PeriodError, PeriodSpec, parse_period

# Buddhist-era years the portal understands (the same bounds as period codes).
FISCAL_YEAR_MIN = 2400
FISCAL_YEAR_MAX = 2700
# Largest value of a PostgreSQL bigint: ids beyond it cannot exist.
MAX_ID = 2**63 - 1
# Longest parameter text we look at (codes and ids are short; anything longer is not one of ours).
MAX_TEXT = 200
_ASCII_INTEGER = re.compile(r"-?[0-9]{1,19}")

Params = QueryDict | Mapping[str, str]
Default = TypeVar("Default")


class BadParameter(BadRequest):
    """A request parameter that cannot be used; the message is shown to the user (400)."""


def _raw(params: Params, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


def parse_int(text: str, *, name: str, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """``text`` as an integer written in ASCII digits within [minimum, maximum], else :class:`BadParameter`."""
    if not _ASCII_INTEGER.fullmatch(text) or not minimum <= int(text) <= maximum:
        raise BadParameter(
            _("The parameter %(name)s must be a whole number from %(min)d to %(max)d.") % {"name": name, "min": minimum, "max": maximum}
        )
    return int(text)


def int_param(params: Params, name: str, default: Default = None, *, minimum: int = 0, maximum: int = MAX_ID) -> int | Default:
    """An integer parameter; absent or empty gives ``default``."""
    text = _raw(params, name)
    return default if text == "" else parse_int(text, name=name, minimum=minimum, maximum=maximum)


def id_param(params: Params, name: str, default: Default = None) -> int | Default:
    """A database id (a positive bigint); absent or empty gives ``default``."""
    return int_param(params, name, default, minimum=1)


def id_list_param(params: QueryDict, name: str) -> list[int]:
    """All values of a repeated id parameter (``?id=1&id=2``); empty values are skipped."""
    return [parse_int(v.strip(), name=name, minimum=1) for v in params.getlist(name) if v.strip()]


def fiscal_year_param(params: Params, name: str = "fy", default: Default = None) -> int | Default:
    """A Buddhist-era fiscal year such as 2568; absent or empty gives ``default``."""
    text = _raw(params, name)
    if text == "":
        return default
    if not _ASCII_INTEGER.fullmatch(text) or not FISCAL_YEAR_MIN <= int(text) <= FISCAL_YEAR_MAX:
        raise BadParameter(
            _("The fiscal year must be a Buddhist-era year from %(min)d to %(max)d, e.g. 2568.")
            % {"min": FISCAL_YEAR_MIN, "max": FISCAL_YEAR_MAX}
        )
    return int(text)


def period_param(params: Params, name: str = "period", default: Default = None) -> PeriodSpec | Default:
    """A period code (``2568-01``, ``FY2568`` …); absent or empty gives ``default``."""
    text = _raw(params, name)
    if text == "":
        return default
    try:
        return parse_period(text[:MAX_TEXT])
    except PeriodError as exc:
        raise BadParameter(str(exc)) from exc


def code_param(params: Params, name: str, default: str = "") -> str:
    """A short code (org unit, agency, indicator): text without control characters, at most 200 characters."""
    text = _raw(params, name)
    if len(text) > MAX_TEXT or any(ord(c) < 32 for c in text):
        raise BadParameter(_("The parameter %(name)s is not a valid code.") % {"name": name})
    return text or default
