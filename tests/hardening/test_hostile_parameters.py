"""Generated from the URLconf: every endpoint, every parameter, hostile values, every role — never a 5xx, never a write.

Endpoints come from walking ``poc.urls`` (so URLs other apps add later are covered without editing this
file). Parameters come from each view's module (``request.GET.get("fy")``, ``request.POST["id"]``…) and
from the fields of the forms the module uses, plus a few the whole portal shares. Each endpoint gets
one request per hostile value with every parameter set to it, then one per parameter alone (GET, and
POST where the view handles POST), rotating through the roles (anonymous, data entry, verifier,
executive, IT administrator, superuser).

"No write" is checked on the SQL each request runs: a GET, and a POST that did not succeed (anything
but a redirect or a download), may not INSERT, UPDATE or DELETE outside the session, cache and usage tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django import forms
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.cockpit.conftest import fy_dataset, inputs, monthly_dataset, rate, topic  # noqa: F401
from tests.risk.test_survey import campaign, questions  # noqa: F401

HOSTILE = [
    "²",  # a Unicode digit: str.isdigit() is true, int() fails
    "๒๕๖๘",  # Thai digits: int() accepts them
    "-1",
    "99999999999999999999999",  # beyond every database integer
    "1e308",
    "NaN",
    "",
    "x" * 3000,
    "i:",
    "FY2551",  # a valid period nobody stored: reading it must not create it
    "\x00",
    "' OR 1=1 --",
]
# Path arguments: the int converter lets only ASCII digits through.
HOSTILE_PATH = ["0", "99999999999999999999999", "²", "x" * 300, "\x00"]
# Parameters many pages read through shared helpers (fiscal year, org unit, paging, exports).
SHARED_PARAMETERS = ("fy", "orgunit", "agency", "page", "period", "format", "id")
# Parameters the source scan cannot see (Django's own views building their forms inside a method).
DECLARED_PARAMETERS = {"admin:login": ("username", "password", "next")}
# Endpoints not sent hostile POSTs: their effect is outside the database or ends the test's session.
NO_POST = {"logout", "operations:backup_start", "operations:backup_verify"}
# Writes a request may make without changing the portal's data: sessions, the cache table, and the usage log
# (page views: buffered in Redis and flushed in batches; without Redis written per view).
ALLOWED_WRITES = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(django_session|poc_cache|risk_pageview)"?', re.IGNORECASE)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# request.GET.get("fy"), request.POST["id"], request.GET.getlist("item"), and the poc.params helpers: id_param(request.GET, "agency")
_PARAMETER_READ = re.compile(
    r"""request\.(?:GET|POST|FILES)(?:\.get|\.getlist|\.pop)?\s*[(\[]\s*["']([\w.-]+)["']"""
    r"""|_param\(\s*request\.(?:GET|POST)\s*,\s*["']([\w.-]+)["']"""
)
_MODULE_SOURCES: dict[str, str] = {}


@dataclass
class Endpoint:
    name: str
    route: str
    callback: object
    kwargs: list[str]
    parameters: list[str] = field(default_factory=list)
    accepts_post: bool = False


def _walk(patterns, namespace: str = "", route: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, route + str(pattern.pattern))
        elif pattern.name:
            yield namespace + pattern.name, route + str(pattern.pattern), pattern


def _view_function(callback):
    view_class = getattr(callback, "view_class", None)
    return view_class or inspect.unwrap(callback)


def _module_source(obj) -> str:
    module = inspect.getmodule(obj)
    if module is None:
        return ""
    if module.__name__ not in _MODULE_SOURCES:
        try:
            _MODULE_SOURCES[module.__name__] = inspect.getsource(module)
        except (OSError, TypeError):
            _MODULE_SOURCES[module.__name__] = ""
    return _MODULE_SOURCES[module.__name__]


def _form_fields(view) -> set[str]:
    """Fields of every form class the view's module refers to (and a class-based view's ``form_class``)."""
    module = inspect.getmodule(view)
    names: set[str] = set()
    candidates = list(vars(module).values()) if module else []
    candidates.append(getattr(view, "form_class", None))
    for candidate in candidates:
        if inspect.isclass(candidate) and issubclass(candidate, forms.BaseForm):
            names.update(candidate.base_fields)
    return names


def endpoints() -> list[Endpoint]:
    found = []
    for name, route, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") and name not in ("admin:login", "admin:index"):
            continue  # Django's own admin pages; its login shares the portal's lockout and is tested with it
        view = _view_function(pattern.callback)
        source = _module_source(view)
        read = {name for pair in _PARAMETER_READ.findall(source) for name in pair if name}
        parameters = read | _form_fields(view) | set(SHARED_PARAMETERS) | set(DECLARED_PARAMETERS.get(name, ()))
        try:
            own = inspect.getsource(view)
        except (OSError, TypeError):
            own = source
        accepts_post = name not in NO_POST and ("POST" in own or "form_class" in own or "def post" in own)
        found.append(Endpoint(name, route, pattern.callback, list(pattern.pattern.regex.groupindex), sorted(parameters), accepts_post))
    return found


ENDPOINTS = endpoints()


@pytest.fixture
def world(
    db,
    province,
    agency_a,
    agency_b,
    it_agency,
    entry_a,
    verifier_a,
    executive,
    it_admin,
    make_user,
    rate,  # noqa: F811
    campaign,  # noqa: F811
):
    """One of each role, and objects for URL arguments (other ids and codes get hostile values only)."""
    admin = make_user("root", ["it_admin"], it_agency, is_superuser=True)
    from cockpit.models import InformationRequest
    from documents.models import Document
    from operations.models import Course

    document = Document.objects.create(date="2025-01-15", subject="หนังสือทดสอบ", category="circular", agency=agency_a)
    course = Course.objects.create(title="PDPA", start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 3, 2))
    need = InformationRequest.objects.create(requested_by=executive, title="น้ำ", purpose="ภัยแล้ง")
    clients = {"anonymous": Client()}
    for role, user in {"entry": entry_a, "verifier": verifier_a, "executive": executive, "it_admin": it_admin, "admin": admin}.items():
        clients[role] = Client()
        clients[role].force_login(user)
    known = {
        "code": [rate.code, rate.numerator, "DS-RATE"],
        "pk": [campaign.pk, document.pk, course.pk, need.pk, entry_a.pk],
        "agency_code": [agency_a.code],
        "fmt": ["xlsx", "pdf"],
        "what": ["template", "values"],
        "action": ["submit", "verify"],
    }
    return list(clients.items()), known


def _urls(endpoint: Endpoint, known: dict[str, list]) -> list[str]:
    """The endpoint's URL with known arguments, and with hostile ones where the converter lets them through."""
    if not endpoint.kwargs:
        return [reverse(endpoint.name)]
    urls = []
    for values in (*[[v] for v in HOSTILE_PATH], None):
        kwargs = {k: (values[0] if values else (known.get(k) or ["1"])[0]) for k in endpoint.kwargs}
        try:
            urls.append(reverse(endpoint.name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    for key in endpoint.kwargs:
        for value in known.get(key, [])[1:]:
            kwargs = {k: (known.get(k) or ["1"])[0] for k in endpoint.kwargs} | {key: value}
            try:
                urls.append(reverse(endpoint.name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    if not urls:  # optional groups only (e.g. /api/dataValueSets with an optional .json/.csv/.adx suffix)
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse(endpoint.name))
    return list(dict.fromkeys(urls))


def _requests(endpoint: Endpoint, urls: list[str]) -> Iterator[tuple[str, str, dict]]:
    for url in urls:
        yield "get", url, {}
    base = urls[-1]
    for value in HOSTILE:
        yield "get", base, dict.fromkeys(endpoint.parameters, value)
    for index, parameter in enumerate(endpoint.parameters):
        yield "get", base, {parameter: HOSTILE[index % len(HOSTILE)]}
    if endpoint.accepts_post:
        for value in HOSTILE[::2]:
            yield "post", base, dict.fromkeys(endpoint.parameters, value)
        for index, parameter in enumerate(endpoint.parameters):  # each alone, with another value than its GET
            yield "post", base, {parameter: HOSTILE[(index + 5) % len(HOSTILE)]}


def _writes(queries: list[dict]) -> list[str]:
    return [q["sql"][:200] for q in queries if WRITE.match(q["sql"]) and not ALLOWED_WRITES.match(q["sql"])]


def test_the_walk_finds_the_portals_endpoints_and_their_parameters():
    by_name = {e.name: e for e in ENDPOINTS}
    assert len(ENDPOINTS) > 80
    assert {"fy", "item", "from", "to", "export"} <= set(by_name["cockpit:pivot"].parameters)
    assert "id" in by_name["verification:notifications"].parameters and by_name["verification:notifications"].accepts_post
    assert {"username", "password"} <= set(by_name["admin:login"].parameters)
    assert not by_name["logout"].accepts_post


@pytest.mark.django_db
def test_hostile_parameters_never_fail_and_never_write(world):
    """One test over all endpoints (one fixture setup keeps it under two minutes); failures listed per endpoint."""
    clients, known = world
    failures = []
    for number, endpoint in enumerate(ENDPOINTS):  # the offset varies which role gets which value
        failures += _attack(endpoint, clients, known, number)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


def _attack(endpoint: Endpoint, clients: list, known: dict, offset: int) -> list[str]:
    failures = []
    for number, (method, url, data) in enumerate(_requests(endpoint, _urls(endpoint, known)), start=offset):
        role, client = clients[number % len(clients)]
        connection.queries_log.clear()  # the log holds 9,000 queries: a full one would hide this request's writes
        with CaptureQueriesContext(connection) as queries:
            try:
                with transaction.atomic():  # a database error must not poison the next request
                    response = getattr(client, method)(url, data)
            except Exception as exc:  # the test client re-raises what would have been a 500
                failures.append(f"{role} {method.upper()} {url[:80]} {_short(data)}: {type(exc).__name__}: {str(exc)[:150]}")
                continue
        if response.status_code >= 500:
            failures.append(f"{role} {method.upper()} {url[:80]} {_short(data)}: {response.status_code}")
        # A POST that did its job (redirect, or a file such as an export) may write; one that failed may not.
        delivered = response.status_code in (301, 302, 303) or "attachment" in response.get("Content-Disposition", "")
        succeeded_post = method == "post" and delivered
        if not succeeded_post and (writes := _writes(queries.captured_queries)):
            failures.append(f"{role} {method.upper()} {url[:80]} {_short(data)} wrote: {writes[:3]}")
    return failures


def _short(data: dict) -> str:
    return repr({k: (v[:20] + "…" if len(v) > 20 else v) for k, v in data.items()})[:160]


def test_write_detection_flags_data_tables_and_ignores_sessions_cache_and_usage():
    assert _writes([{"sql": 'INSERT INTO "poc_period" ("code") VALUES (%s)'}, {"sql": 'UPDATE "datasets_datavalue" SET x = 1'}])
    assert _writes([{"sql": 'DELETE FROM "verification_notification" WHERE id = 1'}])
    allowed = ['UPDATE "django_session" SET "session_data" = 1', 'INSERT INTO "poc_cache" VALUES (1)']
    allowed.append('INSERT INTO "risk_pageview" VALUES (1)')
    assert not _writes([{"sql": sql} for sql in [*allowed, 'SELECT 1 FROM "poc_period"', "SAVEPOINT s1"]])
