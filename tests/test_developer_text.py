"""No developer text in the interface (issue 11 §10): every page reachable from the menu and the
links, crawled as the province administrator and as a commune clerk on the access tests' world
(with each app's prepared records), in Vietnamese; the visible text (text nodes, button values,
titles, placeholders, options) must hold no snake_case identifier, True/False/None, file names of
the docs (domain.md, *.md), "[UNCONFIRMED]", Python reprs, and no English UI word.

Pages are deduplicated by their pattern (numbers in the path and the query's values ignored), so
one member page, one round, one organization, one page of a list stands for its kind; downloads
are not opened. The commune clerk sees the commune's pages the administrator's crawl skips.
The crawl found the development rules' sources citing domain-processes.md and the member
export's English file name (fixed with it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User

from .test_access import PASSWORD
from .test_access_matrix import world  # noqa: F401 — the matrix's world, every app prepared

pytestmark = pytest.mark.django_db

MAX_PAGES = 400
SKIP = (
    "/logout",
    "/admin/",
    "/api/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/excel/export/",
    "/excel/templates/",
)
DOWNLOAD = re.compile(r"(\.(xlsx|docx|pdf|csv|json|png|svg|zip)$|/download/?$|/status\.json$)")

DEVELOPER_TEXT = {
    "snake_case identifier": re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b"),
    "True/False/None": re.compile(r"\b(True|False|None)\b"),
    "a doc's file name": re.compile(r"\b[\w-]+\.md\b"),
    "[UNCONFIRMED]": re.compile(r"\[UNCONFIRMED\]"),
    "Python repr": re.compile(
        r"(<\w+(\.\w+)* object at 0x|<QuerySet|\b(datetime\.(date|datetime)|Decimal)\(|\{'\w+': |\['\w+')"
    ),
}
# English words of an interface that are not also Vietnamese words or product names.
ENGLISH = {
    "add", "apply", "back", "cancel", "choose", "close", "create", "date", "delete", "download",
    "edit", "error", "establish", "export", "filter", "forbidden", "found", "from", "home",
    "import", "invalid", "loading", "login", "logout", "member", "members", "name", "next",
    "none", "not", "organization", "organizations", "page", "password", "please", "previous",
    "remove", "report", "required", "reset", "save", "search", "select", "show", "status",
    "submit", "the", "total", "unknown", "update", "upload", "view", "with", "yes",
}  # fmt: skip
WORD = re.compile(r"\b[A-Za-z]{3,}\b")


class _Visible(HTMLParser):
    """Text a person sees (and reads from controls), and the links to follow."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "alt", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data)


def _key(url: str) -> str:
    """A page's kind: numbers and organization codes in the path, and the query's values, do
    not make another kind of page (the province page stands for every organization's)."""
    parts = urlsplit(url)
    path = re.sub(r"/[A-Z][A-Z0-9-]*(?=/)", "/U", re.sub(r"\d+", "N", parts.path))
    return path + "?" + ",".join(sorted({k for k, _v in parse_qsl(parts.query)}))


def _follow(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if any(parts.path.startswith(s) for s in SKIP) or DOWNLOAD.search(parts.path):
        return None
    query = urlencode(parse_qsl(parts.query))
    return parts.path + (f"?{query}" if query else "")


def developer_text(text: str, allowed: set[str]) -> list[str]:
    """What of `text` is developer text or an English UI word (`allowed`: data such as user
    names, which are shown as typed)."""
    for word in allowed:
        text = text.replace(word, " ")
    found = [
        f"{what}: {m.group(0)!r}"
        for what, pattern in DEVELOPER_TEXT.items()
        for m in pattern.finditer(text)
    ]
    found += [
        f"English word: {m.group(0)!r}"
        for m in WORD.finditer(text)
        if m.group(0).lower() in ENGLISH
    ]
    return found


def crawl(client: Client, allowed: set[str]) -> tuple[int, list[str]]:
    queue, seen, problems, pages = ["/"], {_key("/")}, [], 0
    while queue and pages < MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        parser = _Visible()
        parser.feed(response.content.decode())
        context = " | ".join(p.strip() for p in parser.parts)
        for problem in developer_text("\n".join(parser.parts), allowed):
            snippet = _around(context, problem)
            problems.append(f"{url}: {problem} … {snippet}")
        for href in parser.links:
            target = _follow(href)
            if target and _key(target) not in seen:
                seen.add(_key(target))
                queue.append(target)
    return pages, problems


def _around(text: str, problem: str) -> str:
    word = problem.rsplit(": ", 1)[-1].strip("'\"")
    at = text.find(word)
    return text[max(0, at - 60) : at + len(word) + 40].replace("\n", " ") if at >= 0 else ""


def test_the_detector_finds_each_kind_and_passes_vietnamese():
    assert developer_text("Quy tắc min_members_for_cell: True", set()) == [
        "snake_case identifier: 'min_members_for_cell'",
        "True/False/None: 'True'",
    ]
    assert developer_text("Xem domain.md §7.11 [UNCONFIRMED]", set())[0].startswith("a doc's")
    assert developer_text("<Unit object at 0x7f>", set())[0].startswith("Python repr")
    assert developer_text("Establish", set()) == ["English word: 'Establish'"]
    assert (
        developer_text("Tài khoản admin_p: Đảng bộ xã Ấn Lạc, 61.491 đảng viên", {"admin_p"}) == []
    )


@pytest.mark.parametrize("persona", ["admin_p", "clerk_g1"])
def test_no_developer_text_on_any_page_reachable_from_the_menu(world, persona):  # noqa: F811
    world["clerk_g1"] = User.objects.create_user(
        "clerk_g1", password=PASSWORD, scope=world["G1"], role=Role.CLERK
    )
    client = Client()
    client.force_login(world[persona])
    names = set(User.objects.values_list("username", flat=True))
    pages, problems = crawl(client, names)
    assert pages >= 40, f"only {pages} pages reached: the crawl lost the menu"
    assert not problems, f"{len(problems)} problems on {pages} pages:\n" + "\n".join(problems[:80])
