"""The UI speaks Vietnamese by default; the English catalogue is compiled and shipped (no gettext needed)."""

import ast
import gettext
import re
from pathlib import Path

import pytest

import grassroots

from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


LOCALE = Path(grassroots.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def test_vietnamese_by_default(client, world):
    client.force_login(world["admin"])
    body = client.get("/tree/").content.decode()
    assert "Cây tổ chức" in body and "Tổ chức trực thuộc ngày" in body


def test_vietnamese_even_when_the_browser_prefers_english(client, world):
    client.force_login(world["admin"])
    body = client.get("/tree/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "Cây tổ chức" in body


def test_english_when_the_user_chooses_it(client, world):
    client.force_login(world["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/tree/"})
    body = client.get("/tree/").content.decode()
    assert "Organization tree" in body and "Sub-organizations on" in body
    assert "District-level committee" in body  # model choices are translated too


def _po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (single messages; enough to compare with the compiled file)."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block or "#, fuzzy" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if match:
            join = lambda text: ast.literal_eval('"' + "".join(re.findall(r'"(.*)"', text)) + '"')  # noqa: E731
            entries[join(match.group(1))] = join(match.group(2))
    return entries


def test_compiled_catalogue_is_shipped_and_current():
    po = _po_entries(LOCALE / "django.po")
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = {
        mid: text for mid, text in po.items() if mid and text and compiled.gettext(mid) != text
    }
    assert not stale, "run msgfmt -o django.mo django.po after editing the catalogue"
    assert sum(1 for mid, text in po.items() if mid and text) > 250
