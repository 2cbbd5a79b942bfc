"""Checks on grassroots.demo.adminunits (plain functions, no Django database)."""

import time

import pytest

from grassroots.demo import adminunits as au


@pytest.fixture(scope="module")
def lang_son():
    province = au.find_legacy_province("Lạng Sơn")
    assert province is not None
    return province


def test_loading_everything_is_fast():
    for fn in (au._legacy, au._new, au._mapping):
        fn.cache_clear()
    start = time.process_time()  # CPU: the wall clock of a shared machine measures the others
    for p in au.legacy_provinces():
        au.ward_mapping_2025_all(p.code)
    for p in au.new_provinces():
        au.new_wards(p.code)
    assert time.process_time() - start < 2


def test_province_counts():
    legacy = au.legacy_provinces()
    new = au.new_provinces()
    assert len(legacy) == 63
    assert len({p.code for p in legacy}) == 63
    assert len(new) == 34
    assert len({p.code for p in new}) == 34
    assert all(p.code.isdigit() and len(p.code) == 2 for p in legacy + new)


def test_find_legacy_province(lang_son):
    assert lang_son == au.Province(code="20", name="Tỉnh Lạng Sơn", short_name="Lạng Sơn")
    for query in ("Tỉnh Lạng Sơn", "lạng sơn", "lang son", "TINH LANG SON", "20"):
        assert au.find_legacy_province(query) == lang_son
    assert au.find_legacy_province("HCM").short_name == "Hồ Chí Minh"
    assert au.find_legacy_province("Thừa Thiên Huế").code == "46"
    assert au.find_legacy_province("Atlantis") is None
    assert au.find_legacy_province("") is None


def test_lang_son_legacy_districts(lang_son):
    districts = au.legacy_districts(lang_son.code)
    assert len(districts) == 11
    dinh_lap = next(d for d in districts if d.short_name == "Đình Lập")
    assert dinh_lap.name == "Huyện Đình Lập"
    assert dinh_lap.kind == "huyện"
    assert dinh_lap.province_code == "20"
    assert {d.kind for d in districts} == {"huyện", "thành phố"}


def test_lang_son_legacy_wards(lang_son):
    wards = [w for d in au.legacy_districts(lang_son.code) for w in au.legacy_wards(d.code)]
    assert 180 <= len(wards) <= 210  # 194 in vietnamadminunits 1.0.4
    assert {w.kind for w in wards} <= {"xã", "phường", "thị trấn"}
    assert all(w.code.isdigit() and len(w.code) == 5 for w in wards)


def test_lang_son_legacy_communes_map_into_new_lang_son(lang_son):
    new_lang_son = next(p for p in au.new_provinces() if p.short_name == "Lạng Sơn")
    new_codes = {w.code for w in au.new_wards(new_lang_son.code)}
    assert len(new_codes) == 65

    legacy_codes = {
        w.code for d in au.legacy_districts(lang_son.code) for w in au.legacy_wards(d.code)
    }
    mapping = au.ward_mapping_2025(lang_son.code)
    assert set(mapping) == legacy_codes
    assert set(mapping.values()) <= new_codes
    assert set(mapping.values()) == new_codes  # every new commune has a predecessor

    full = au.ward_mapping_2025_all(lang_son.code)
    assert set(full) == legacy_codes
    for code, targets in full.items():
        assert targets[0] == mapping[code]
        assert set(targets) <= new_codes


def test_national_totals():
    districts = [d for p in au.legacy_provinces() for d in au.legacy_districts(p.code)]
    legacy_wards = [w for d in districts for w in au.legacy_wards(d.code)]
    new_wards = [w for p in au.new_provinces() for w in au.new_wards(p.code)]
    assert 650 <= len(districts) <= 720  # 696
    assert 9_500 <= len(legacy_wards) <= 10_700  # 10,035
    assert 3_200 <= len(new_wards) <= 3_400  # 3,321
    assert len({w.code for w in legacy_wards}) == len(legacy_wards)
    assert len({w.code for w in new_wards}) == len(new_wards)
    assert {w.kind for w in new_wards} == {"xã", "phường", "đặc khu"}


def test_every_legacy_commune_is_mapped_nationally():
    new_by_province = {p.code: {w.code for w in au.new_wards(p.code)} for p in au.new_provinces()}
    all_new = set().union(*new_by_province.values())
    mapped_targets = set()
    for p in au.legacy_provinces():
        legacy_codes = {
            w.code for d in au.legacy_districts(p.code) for w in au.legacy_wards(d.code)
        }
        full = au.ward_mapping_2025_all(p.code)
        assert set(full) == legacy_codes, p.name
        # a legacy province went whole into one new province
        targets = {c for cs in full.values() for c in cs}
        assert any(targets <= codes for codes in new_by_province.values()), p.name
        mapped_targets |= targets
        mapped_targets |= set(au.wardless_district_mapping_2025(p.code).values())
    assert mapped_targets == all_new


def test_island_districts_without_communes():
    islands = {
        d.short_name: au.wardless_district_mapping_2025(p.code)[d.code]
        for p in au.legacy_provinces()
        for d in au.legacy_districts(p.code)
        if not au.legacy_wards(d.code)
    }
    assert set(islands) == {"Bạch Long Vĩ", "Cồn Cỏ", "Hoàng Sa", "Lý Sơn", "Côn Đảo"}
    zones = {w.code: w for p in au.new_provinces() for w in au.new_wards(p.code)}
    for short_name, code in islands.items():
        assert zones[code].kind == "đặc khu"
        assert zones[code].short_name == short_name


def test_short_names_drop_disambiguation_suffix():
    wards = [
        w
        for p in au.legacy_provinces()
        for d in au.legacy_districts(p.code)
        for w in au.legacy_wards(d.code)
    ]
    assert not any("(" in w.short_name for w in wards)
    assert any(w.name == "Thị trấn Đình Lập" and w.short_name == "Đình Lập" for w in wards)
