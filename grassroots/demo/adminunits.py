"""Vietnamese administrative units, before and after the 1 July 2025 reform.

Data source: the PyPI package ``vietnamadminunits`` (pinned 1.0.4 in
requirements.txt). Only its bundled data files are read, never its Python code,
because importing the package pulls in shapely, geopy and unidecode and sets up
an ArcGIS geocoder:

* ``data/dataset.db`` (SQLite)

  - table ``admin_units_legacy``: the 63 provinces, 696 district-level units and
    10,035 communes in force until 30 June 2025 (one row per commune; the five
    island districts without communes, e.g. Bạch Long Vĩ or Côn Đảo, have one row
    with a NULL ward);
  - table ``admin_units``: the 34 provinces and 3,321 communes / wards / special
    zones (đặc khu) in force from 1 July 2025.

* ``data/converter_2025.json``: which new commune(s) each legacy commune went
  into, keyed by the package's normalised names ("tinhlangson_huyendinhlap_
  xabinhxa"); a commune split across several new ones has one flagged
  ``isDefaultNewWard``, which we treat as the main successor.

Codes are the official GSO codes as strings (province "20", district "189",
commune "06613"). Beware: 2025 codes reuse the legacy code space. A new commune
takes the code of one of its predecessors, and a new province takes the code of
one of the merged provinces, not always the one with the same name (new "24" is
Bắc Ninh, legacy "24" is Bắc Giang). Never mix legacy and new codes in one column
without saying which era they belong to.

All data is loaded once (about 0.1 s) and cached; the functions return
immutable dataclasses and fresh lists.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "District",
    "Province",
    "Ward",
    "data_dir",
    "find_legacy_province",
    "legacy_districts",
    "legacy_provinces",
    "legacy_wards",
    "new_provinces",
    "new_wards",
    "ward_mapping_2025",
    "ward_mapping_2025_all",
    "wardless_district_mapping_2025",
]


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # "20"
    name: str  # "Tỉnh Lạng Sơn"
    short_name: str  # "Lạng Sơn"


@dataclass(frozen=True, slots=True)
class District:
    code: str  # "189"
    name: str  # "Huyện Đình Lập"
    short_name: str  # "Đình Lập"
    kind: str  # "huyện", "thành phố", "thị xã" or "quận"
    province_code: str


@dataclass(frozen=True, slots=True)
class Ward:
    code: str  # "06613"
    name: str  # "Thị trấn Đình Lập"
    short_name: str  # "Đình Lập"
    kind: str  # legacy: "xã", "phường", "thị trấn"; 2025: "xã", "phường", "đặc khu"
    province_code: str
    district_code: str | None = None  # legacy communes only


def data_dir() -> Path:
    """The package's data directory, found without importing the package."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the 'vietnamadminunits' package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _kind(value: str | None) -> str:
    return (value or "").lower()


def _short(short_name: str, kind: str | None) -> str:
    """The package disambiguates clashing short names as "Đình Lập (Thị trấn)"
    (12 districts, 38 legacy communes); drop that, ``kind`` carries it."""
    suffix = f" ({kind})"
    return short_name[: -len(suffix)] if kind and short_name.endswith(suffix) else short_name


@dataclass(frozen=True, slots=True)
class _Legacy:
    provinces: tuple[Province, ...]
    districts: dict[str, tuple[District, ...]]  # by province code
    wards: dict[str, tuple[Ward, ...]]  # by district code
    # converter key "province_district_ward" -> (province code, district code, ward code or None)
    by_key: dict[str, tuple[str, str, str | None]]
    province_aliases: dict[str, tuple[str, ...]]  # province code -> extra keys ("hn", "hcm")


@dataclass(frozen=True, slots=True)
class _New:
    provinces: tuple[Province, ...]
    wards: dict[str, tuple[Ward, ...]]  # by province code
    by_key: dict[tuple[str, str], str]  # (province key, ward key) -> ward code


@lru_cache(maxsize=1)
def _legacy() -> _Legacy:
    sql = """
        SELECT provinceCode, province, provinceShort, provinceKey, provinceAlias,
               districtCode, district, districtShort, districtType, districtKey,
               wardCode, ward, wardShort, wardType, wardKey
        FROM admin_units_legacy
    """
    provinces: dict[str, Province] = {}
    aliases: dict[str, tuple[str, ...]] = {}
    districts: dict[str, dict[str, District]] = defaultdict(dict)
    wards: dict[str, list[Ward]] = defaultdict(list)
    by_key: dict[str, tuple[str, str, str | None]] = {}
    with sqlite3.connect(f"file:{data_dir() / 'dataset.db'}?mode=ro", uri=True) as conn:
        rows = conn.execute(sql).fetchall()
    for pc, pn, ps, pk, palias, dc, dn, ds, dt, dk, wc, wn, ws, wt, wk in rows:
        if pc not in provinces:
            provinces[pc] = Province(pc, pn, ps)
            aliases[pc] = tuple(json.loads(palias)) if palias else ()
        if dc not in districts[pc]:
            districts[pc][dc] = District(dc, dn, _short(ds, dt), _kind(dt), pc)
        if wc is not None:
            wards[dc].append(Ward(wc, wn, _short(ws, wt), _kind(wt), pc, dc))
        by_key[f"{pk}_{dk}_{wk or ''}"] = (pc, dc, wc)
    return _Legacy(
        provinces=tuple(sorted(provinces.values(), key=lambda p: p.code)),
        districts={
            pc: tuple(sorted(ds.values(), key=lambda d: d.code)) for pc, ds in districts.items()
        },
        wards={dc: tuple(sorted(ws, key=lambda w: w.code)) for dc, ws in wards.items()},
        by_key=by_key,
        province_aliases=aliases,
    )


@lru_cache(maxsize=1)
def _new() -> _New:
    sql = """
        SELECT provinceCode, province, provinceShort, provinceKey,
               wardCode, ward, wardShort, wardType, wardKey
        FROM admin_units
    """
    provinces: dict[str, Province] = {}
    wards: dict[str, list[Ward]] = defaultdict(list)
    by_key: dict[tuple[str, str], str] = {}
    with sqlite3.connect(f"file:{data_dir() / 'dataset.db'}?mode=ro", uri=True) as conn:
        rows = conn.execute(sql).fetchall()
    for pc, pn, ps, pk, wc, wn, ws, wt, wk in rows:
        if pc not in provinces:
            provinces[pc] = Province(pc, pn, ps)
        wards[pc].append(Ward(wc, wn, _short(ws, wt), _kind(wt), pc))
        by_key[(pk, wk)] = wc
    return _New(
        provinces=tuple(sorted(provinces.values(), key=lambda p: p.code)),
        wards={pc: tuple(sorted(ws, key=lambda w: w.code)) for pc, ws in wards.items()},
        by_key=by_key,
    )


@lru_cache(maxsize=1)
def _mapping() -> dict[str, dict[str, tuple[str, ...]]]:
    """Legacy province code -> {legacy ward code, or district code for wardless
    island districts -> new ward codes, main successor first}."""
    legacy, new = _legacy(), _new()
    with open(data_dir() / "converter_2025.json", encoding="utf-8") as f:
        conv = json.load(f)
    result: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)

    def put(old_key: str, new_province_key: str, new_ward_keys: list[str]) -> None:
        pc, dc, wc = legacy.by_key[old_key]
        codes = tuple(new.by_key[(new_province_key, k)] for k in new_ward_keys)
        result[pc][wc if wc is not None else dc] = codes

    for npk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward_key, old_keys in wards.items():
            for old_key in old_keys:
                put(old_key, npk, [new_ward_key])
    for npk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in olds.items():
            ordered = sorted(targets, key=lambda t: not t["isDefaultNewWard"])  # stable
            put(old_key, npk, [t["newWardKey"] for t in ordered])
    return dict(result)


# Public API -------------------------------------------------------------------


def legacy_provinces() -> list[Province]:
    """The 63 provinces in force until 30 June 2025, by code."""
    return list(_legacy().provinces)


def legacy_districts(province_code: str) -> list[District]:
    """District-level units of a legacy province, by code ([] if unknown)."""
    return list(_legacy().districts.get(str(province_code), ()))


def legacy_wards(district_code: str) -> list[Ward]:
    """Communes, wards and towns of a legacy district, by code ([] if unknown,
    and also [] for the five island districts that had no communes)."""
    return list(_legacy().wards.get(str(district_code), ()))


def new_provinces() -> list[Province]:
    """The 34 provinces in force from 1 July 2025, by code."""
    return list(_new().provinces)


def new_wards(province_code: str) -> list[Ward]:
    """Communes, wards and special zones of a 2025 province, by code."""
    return list(_new().wards.get(str(province_code), ()))


def ward_mapping_2025_all(legacy_province_code: str) -> dict[str, list[str]]:
    """Legacy commune code -> 2025 commune codes it went into, main one first.

    Most legacy communes went whole into one new commune (list of one); about
    470 nationwide were split, the main successor being the one the package
    flags as default.
    """
    m = _mapping().get(str(legacy_province_code), {})
    wards = _legacy().wards
    ward_codes = {
        w.code for d in legacy_districts(legacy_province_code) for w in wards.get(d.code, ())
    }
    return {k: list(v) for k, v in m.items() if k in ward_codes}


def ward_mapping_2025(legacy_province_code: str) -> dict[str, str]:
    """Legacy commune code -> the (main) 2025 commune code it went into."""
    return {k: v[0] for k, v in ward_mapping_2025_all(legacy_province_code).items()}


def wardless_district_mapping_2025(legacy_province_code: str) -> dict[str, str]:
    """Legacy island districts without communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa,
    Lý Sơn, Côn Đảo) -> the 2025 special zone (đặc khu) code they became."""
    legacy = _legacy()
    m = _mapping().get(str(legacy_province_code), {})
    return {
        d.code: m[d.code][0]
        for d in legacy_districts(legacy_province_code)
        if not legacy.wards.get(d.code) and d.code in m
    }


def _fold(text: str) -> str:
    """Fold "Tỉnh Lạng Sơn" to "tinhlangson" (same scheme as the package's keys)."""
    text = unicodedata.normalize("NFD", text.strip().lower()).replace("đ", "d")
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


_PROVINCE_PREFIXES = ("thanhpho", "tinh", "tp")
# Former names the data no longer carries (Huế became a centrally-run city on 1/1/2025).
_EXTRA_ALIASES = {"thuathienhue": "46"}


def find_legacy_province(name_or_short_name: str) -> Province | None:
    """Find a legacy province by code, full or short name, with or without
    accents and prefix ("Lạng Sơn", "tỉnh lang son", "20", "HCM")."""
    query = (name_or_short_name or "").strip()
    if not query:
        return None
    legacy = _legacy()
    nfc = unicodedata.normalize("NFC", query).casefold()
    for p in legacy.provinces:
        if nfc in (p.code, p.name.casefold(), p.short_name.casefold()):
            return p
    key = _fold(query)
    if key in _EXTRA_ALIASES:
        return next(p for p in legacy.provinces if p.code == _EXTRA_ALIASES[key])
    for p in legacy.provinces:
        if key in (_fold(p.name), _fold(p.short_name), *legacy.province_aliases[p.code]):
            return p
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            stripped = key[len(prefix) :]
            for p in legacy.provinces:
                if stripped in (_fold(p.short_name), *legacy.province_aliases[p.code]):
                    return p
    return None
