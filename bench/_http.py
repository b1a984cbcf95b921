"""Clients for the benchmarks as users meet the system: keep-alive HTTP to gunicorn with gzip, signed in.

Every response is timed including its transfer and gzip decoding (what a browser waits for). The
``X-Bench-Worker`` header added by ``wsgi_probe.py`` says which gunicorn worker answered, so the first
request each worker serves for a page (cold: per-process caches empty, imports and connections fresh) is
reported apart from warm requests.
"""

from __future__ import annotations

import gzip
import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlparse


@dataclass
class Answer:
    status: int
    body: bytes  # decoded (gunzipped) body
    wire_bytes: int  # body bytes as transferred
    seconds: float
    worker: str
    headers: dict[str, str]


class Browser:
    """One user's keep-alive connection with its session cookie; reconnects when the server closed it."""

    def __init__(self, base: str, cookie: str) -> None:
        self.netloc = urlparse(base).netloc
        name, _eq, value = cookie.partition("=")
        self.cookies = {name: value}  # the session, then whatever the server sets (csrftoken)
        self.connection = http.client.HTTPConnection(self.netloc, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent = {"Cookie": cookie, "Accept-Encoding": "gzip", "Accept-Language": "th", **(headers or {})}
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                raw = response.read()
                decoded = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
                seconds = time.perf_counter() - started
                for key, value in response.getheaders():
                    if key.lower() == "set-cookie":
                        name, _eq, rest = value.partition("=")
                        self.cookies[name.strip()] = rest.split(";", 1)[0]
                return Answer(
                    response.status,
                    decoded,
                    len(raw),
                    seconds,
                    response.getheader("X-Bench-Worker", ""),
                    {k.lower(): v for k, v in response.getheaders()},
                )
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.netloc, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> Answer:
        return self.request("GET", path)


class FormFields(HTMLParser):
    """The successful controls of the page's POST form (inputs, selects, textareas), as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []  # one list per POST form, in page order
        self._in_post_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_post_form = a.get("method", "").lower() == "post"
            if self._in_post_form:
                self.forms.append([])
        if not self._in_post_form or "disabled" in a or (not a.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None and (self._select_value is None or "selected" in a):
            self._select_value = a.get("value", "")

    @property
    def fields(self) -> list[tuple[str, str]]:
        return self.forms[-1]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


def form_fields(html: bytes, containing: str = "") -> list[tuple[str, str]]:
    """The fields of the first POST form with a field named ``containing…`` (the page also has language and logout forms)."""
    parser = FormFields()
    parser.feed(html.decode("utf-8", "replace"))
    return next((form for form in parser.forms if any(name.startswith(containing) for name, _value in form)), [])


@dataclass
class Sampler:
    """Timings per page, split into the first request each worker served (cold) and the rest (warm)."""

    cold: dict[str, list[float]] = field(default_factory=dict)
    warm: dict[str, list[float]] = field(default_factory=dict)
    after_write: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    wire_bytes: dict[str, int] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: int = 0  # completed writes so far
    write_seen: dict[str, int] = field(default_factory=dict)  # page -> writes count at its last after-write sample

    def record(self, page: str, answer: Answer | None, *, writes_before: int) -> None:
        with self.lock:
            if answer is None or answer.status != 200:
                self.errors[page] = self.errors.get(page, 0) + 1
                return
            self.wire_bytes[page] = answer.wire_bytes
            if (answer.worker, page) not in self.seen:
                self.seen.add((answer.worker, page))
                self.cold.setdefault(page, []).append(answer.seconds)
            elif writes_before > self.write_seen.get(page, 0):
                # The first request for this page that started after a write finished: what caches invalidate.
                self.write_seen[page] = writes_before
                self.after_write.setdefault(page, []).append(answer.seconds)
            else:
                self.warm.setdefault(page, []).append(answer.seconds)


def query(path: str, params: dict[str, object]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
