"""Bounded load test: 50 clerks and 10 API clients against `grassroots serve` (issue 19, "Load").

Loopback only, headless, at most 3 minutes. Run on the demo dataset (`grassroots demo`), with
the server and worker started as in production, e.g.:

    .venv/bin/pip install locust==2.47.0            # bench only, not in requirements.txt
    .venv/bin/grassroots serve --bind 127.0.0.1:8100 &
    .venv/bin/grassroots worker &
    GRASSROOTS_API_KEY=grt_… .venv/bin/locust -f bench/load_locust.py --headless \
        --host http://127.0.0.1:8100 -u 60 -r 10 -t 3m --csv var/load

Writers only (`GRASSROOTS_LOAD=writers`, `-u N`): N clerks recording events back to back, to
find where the embedded SQLite default queues or refuses concurrent writers.

Clerks log in as `xa_canbo` (demo password; GRASSROOTS_CLERK / GRASSROOTS_UNIT change it), browse the tree, open organization and member
pages, search, record a transfer back and forth, export; API clients use one token (created on
/api/tokens/ by the same account) for tree, figures, search and member detail. The host must be
the loopback: the script refuses anything else.

Production settings (`DEBUG` off): the server's cookies are `Secure` and plain HTTP is redirected
to HTTPS. In production a TLS-terminating proxy (nginx) sits in front of `grassroots serve` and
overwrites `X-Forwarded-Proto` (docs/deployment.md); here the script plays that proxy on the
loopback: every request carries `X-Forwarded-Proto: https` (run the server with
`SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https`, as behind the proxy), each POST the
`Referer` a browser sends (Django checks it on HTTPS requests), and the client returns `Secure`
cookies to the loopback over plain HTTP (`_loopback_secure` below). The proxy's own TLS work is
not measured. Against a development server (`DEBUG=1`, plain HTTP) the same requests work too.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlparse

from gevent.lock import Semaphore
from locust import HttpUser, between, events, task

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# The proxy's header (see the module's docstring): the server takes the request for HTTPS.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
_return_ok_secure = DefaultCookiePolicy.return_ok_secure


def _loopback_secure(self, cookie, request) -> bool:
    """A `Secure` cookie goes back to the loopback over plain HTTP, where this script plays the
    TLS proxy (requests copies the session's cookies into a fresh jar with the default policy
    for every request, so the policy is changed on the class, in this process only)."""
    if urlparse(request.get_full_url()).hostname in LOOPBACK:
        return True
    return _return_ok_secure(self, cookie, request)


DefaultCookiePolicy.return_ok_secure = _loopback_secure

PASSWORD = os.environ.get("GRASSROOTS_PASSWORD", "Grassroots@2026")
# The clerk of a commune that exists today (the demo's district clerk can write nothing since
# 2025): its organization is the one browsed, exported and asked for figures.
CLERK = os.environ.get("GRASSROOTS_CLERK", "xa_canbo")
UNIT = os.environ.get("GRASSROOTS_UNIT", "LS-XM06613")
API_KEY = os.environ.get("GRASSROOTS_API_KEY", "")
SEARCHES = ["nguyen van", "hoang thi", "lo van", "ly thi", "vi van", "tran"]
# Days on which the clerk's organization exists (the demo's commune of today began 01/07/2025).
DAYS = os.environ.get("GRASSROOTS_DAYS", "2025-07-01,2025-12-31,2026-06-30,2026-11-30").split(",")


# Steady state: the requests that began once every user had started (and so logged in). The 50
# logins hash 50 passwords with Argon2 (~0.5 s of CPU each) in the first 10-20 s and slow every
# other request meanwhile; locust's own table covers the whole run, this one the rest. Until
# session 8 it began 5 s after the last user was spawned, while the logins still ran (they take
# 4-8 s each under the ramp): the first tree page of each clerk, opened right after its login,
# then fell in the window and made the tree's p95 (docs/performance.md "Session 9").
STEADY: dict[str, list[float]] = {}
_steady_since: list[float] = []
_users = {"spawned": 0, "started": 0}
_run_start = time.monotonic()
# GRASSROOTS_LOAD_TRACE=FILE: every request as a CSV line (seconds from the start at which it
# began, name, ms, error, in the steady window) to see when the slow ones happened.
_TRACE = (
    open(os.environ["GRASSROOTS_LOAD_TRACE"], "w")
    if os.environ.get("GRASSROOTS_LOAD_TRACE")
    else None
)


def _user_started() -> None:
    """Called at the end of each user's on_start (also when it failed): the steady window opens
    when the last spawned user gets here."""
    _users["started"] += 1
    _check_steady()


def _check_steady() -> None:
    if not _steady_since and _users["spawned"] and _users["started"] >= _users["spawned"]:
        _steady_since.append(time.monotonic())
        print(
            f"steady state from {_steady_since[0] - _run_start:.1f} s: "
            f"all {_users['spawned']} users have logged in",
            flush=True,
        )


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):
    host = urlparse(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"load test refuses non-loopback host {host!r}")


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    _users["spawned"] = user_count
    print(f"all {user_count} users spawned at {time.monotonic() - _run_start:.1f} s", flush=True)
    _check_steady()


@events.request.add_listener
def _steady(name, response_time, exception, **kwargs):
    now = time.monotonic()
    began = now - response_time / 1000
    steady = bool(_steady_since) and began >= _steady_since[0]
    if steady:
        STEADY.setdefault(name, []).append(response_time if exception is None else -1.0)
    if _TRACE is not None:
        _TRACE.write(
            f"{began - _run_start:.3f},{name},{response_time:.1f},{int(exception is not None)},"
            f"{int(steady)}\n"
        )


@events.quitting.add_listener
def _print_steady(environment, **kwargs):
    if _TRACE is not None:
        _TRACE.close()
    if not STEADY:
        return
    print("\nSteady state (after every user logged in): name, requests, errors, p50, p95, p99 ms")
    every: list[float] = []
    for name in sorted(STEADY):
        times = sorted(t for t in STEADY[name] if t >= 0)
        errors = len(STEADY[name]) - len(times)
        every += times
        print(
            f"  {name:<16} {len(STEADY[name]):6d} {errors:4d} "
            + " ".join(f"{_pct(times, p):7.0f}" for p in (0.5, 0.95, 0.99))
        )
    every.sort()
    print(
        f"  {'all':<16} {len(every):6d}      "
        + " ".join(f"{_pct(every, p):7.0f}" for p in (0.5, 0.95, 0.99))
    )


def _pct(ordered: list[float], share: float) -> float:
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))] if ordered else 0


# Links to organization pages carry the day (`/units/N-C1973/?at=2026-11-30`).
UNIT_LINK = r'href="/units/([^/"?]+)/(?:\?[^"]*)?"'
# GRASSROOTS_LOAD=writers runs only `Writer` (the embedded database's write limit); otherwise
# the mix of the issue: clerks and API clients.
WRITERS_ONLY = os.environ.get("GRASSROOTS_LOAD") == "writers"


def _referer(client, path: str) -> dict[str, str]:
    """The `Referer` of a POST made from the form at `path`, as a browser behind the proxy sends
    it (Django's CSRF check requires it, HTTPS and the same host, on HTTPS requests)."""
    return {"Referer": "https://" + urlparse(client.base_url).netloc + path}


def _login(client) -> None:
    client.headers.update(PROXY_HEADERS)
    page = client.get("/login/", name="login form").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(
        "/login/",
        {"username": CLERK, "password": PASSWORD, "csrfmiddlewaretoken": token},
        name="login",
        headers=_referer(client, "/login/"),
    )


class Clerk(HttpUser):
    abstract = WRITERS_ONLY
    weight = 50
    wait_time = between(1, 3)

    def on_start(self):
        try:
            # members seen on organization pages, and those whose page offered the event forms
            self.units, self.members, self.writable = [UNIT], [], []
            _login(self.client)
            tree = self.client.get("/tree/", name="tree").text
            self.units += re.findall(UNIT_LINK, tree)[:50]
        finally:
            _user_started()

    @task(4)
    def tree(self):
        self.client.get(f"/tree/?at={random.choice(DAYS)}", name="tree")

    @task(4)
    def organization(self):
        code = random.choice(self.units)
        page = self.client.get(f"/units/{code}/?at={random.choice(DAYS)}", name="organization")
        self.members += re.findall(r'href="/members/(\d+)/"', page.text)[:20]
        self.members = self.members[-200:]

    @task(3)
    def member(self):
        if self.members:
            pk = random.choice(self.members)
            page = self.client.get(f"/members/{pk}/", name="member").text
            # The page links the event forms only when the clerk may write the member (whose
            # latest membership lies in the scope): an organization page of 2025 also lists
            # members who have left since, whose forms rightly answer 403. A clerk records from
            # the link, so the writes go to members whose page offered it.
            if f'href="/members/{pk}/events/temp_attach/"' in page and pk not in self.writable:
                self.writable = [*self.writable[-99:], pk]

    @task(3)
    def search(self):
        self.client.get(f"/members/?q={random.choice(SEARCHES)}", name="search")

    @task(1)
    def export(self):
        self.client.get(f"/excel/export/figures/?unit={UNIT}&format=csv", name="export figures")

    @task(1)
    def record_event(self):
        """A temporary attachment recorded and shown again: a real write through the form, for a
        member whose page offered it (`member`)."""
        if not self.writable:
            return
        pk = random.choice(self.writable)
        url = f"/members/{pk}/events/temp_attach/"
        form = self.client.get(url, name="event form").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        version = re.search(r'name="expected_version" value="(\d+)"', form)
        if not token or not version:
            return
        self.client.post(
            url,
            {
                "csrfmiddlewaretoken": token.group(1),
                "expected_version": version.group(1),
                "date": "01/06/2026",
                "unit_code": random.choice(self.units),
                "place": "tải thử",
            },
            name="record event",
            headers=_referer(self.client, url),
        )


class ApiClient(HttpUser):
    abstract = WRITERS_ONLY
    weight = 10
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.headers.update(PROXY_HEADERS)
        self.client.headers["Authorization"] = f"Bearer {API_KEY}"
        self.members: list[int] = []
        _user_started()

    @task(2)
    def tree(self):
        self.client.get(f"/api/v1/tree/?at={random.choice(DAYS)}", name="api tree")

    @task(3)
    def figures(self):
        self.client.get(
            f"/api/v1/organizations/{UNIT}/figures/?at={random.choice(DAYS)}&since={DAYS[0]}",
            name="api figures",
        )

    @task(2)
    def search(self):
        answer = self.client.get(f"/api/v1/members/?q={random.choice(SEARCHES)}", name="api search")
        if answer.ok:
            self.members = [m["id"] for m in answer.json()["results"]][:50] or self.members

    @task(2)
    def member(self):
        if self.members:
            self.client.get(f"/api/v1/members/{random.choice(self.members)}/", name="api member")


_WRITER_LOGIN = Semaphore()
_WRITER_COOKIES: dict = {}


class Writer(HttpUser):
    """A clerk who only records events, back to back (GRASSROOTS_LOAD=writers): N of them are
    N concurrent writers. Writer i owns the i-th member of the organization page (up to 50,
    so no two writers race for one member) and alternates a temporary attachment and its end,
    one day apart, from GRASSROOTS_WRITE_DAY0 on (default 02/10/2026, after every generated
    event; dates ahead are confirmed, up to a year ahead): give each run its own window. A save answers a redirect; the form shown
    again is counted apart as "record refused by the form", an HTTP error or a reset as an
    error."""

    abstract = not WRITERS_ONLY
    wait_time = between(0, 0.2)
    _next = itertools.count()

    def on_start(self):
        # One login shared by all writers: N Argon2 hashes would take the cores for the first
        # tens of seconds and measure the login, not the writes.
        try:
            with _WRITER_LOGIN:
                if not _WRITER_COOKIES:
                    _login(self.client)
                    _WRITER_COOKIES.update(self.client.cookies.get_dict())
        finally:
            _user_started()
        self.client.headers.update(PROXY_HEADERS)
        self.client.cookies.update(_WRITER_COOKIES)
        page = self.client.get(f"/units/{UNIT}/?at={DAYS[-1]}", name="organization").text
        members = list(dict.fromkeys(re.findall(r'href="/members/(\d+)/"', page)))
        self.units = re.findall(UNIT_LINK, page)[1:] or [UNIT]
        index = next(Writer._next)
        self.member = members[index % len(members)] if members else None
        self.unit = index % len(self.units)
        self.day = dt.date.fromisoformat(os.environ.get("GRASSROOTS_WRITE_DAY0", "2026-10-02"))
        self.attached = False

    @task
    def record_event(self):
        if self.member is None:
            return
        kind = "temp_return" if self.attached else "temp_attach"
        url = f"/members/{self.member}/events/{kind}/"
        form = self.client.get(url, name="event form").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        version = re.search(r'name="expected_version" value="(\d+)"', form)
        if not token or not version:
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "expected_version": version.group(1),
            "date": self.day.strftime("%d/%m/%Y"),
            "confirm_future": "on",
            "place": "tải thử",
        }
        if kind == "temp_attach":
            data["unit_code"] = self.units[self.unit]
        with self.client.post(
            url,
            data,
            name="record event",
            allow_redirects=False,
            catch_response=True,
            headers=_referer(self.client, url),
        ) as answer:
            if answer.status_code == 200:
                # the member's own cell, or still attached from an interrupted earlier run:
                # try the other event next, and another cell
                answer.failure("record refused by the form")
                self.attached = not self.attached
                self.unit = (self.unit + 1) % len(self.units)
            elif answer.status_code == 302:
                self.attached = not self.attached
                self.day += dt.timedelta(days=1)
