"""The benchmark runs end to end at a tiny scale, so it cannot rot. No timing assertions."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

KEYS = (
    "members",
    "figures_p50_ms",
    "figures_p95_ms",
    "since_p50_ms",
    "search_p95_ms",
    "page_p95_ms",
    "duckdb_p50_ms",
    "generate_rows_per_s",
    "peak_rss_mb",
    "meetings_written",
    "meetings_record_p95_ms",
    "meetings_province_summary_p95_ms",
    "meetings_country_summary_p95_ms",
)


def _bench() -> dict:
    out = StringIO()
    call_command(
        "bench",
        "--members",
        "300",
        "--json",
        "--samples",
        "15",
        "--searches",
        "4",
        "--pages",
        "4",
        "--meetings-year",
        "2024",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_bench_prints_one_json_object_with_the_measures():
    result = _bench()
    assert "page_error" not in result, result.get("page_error")
    for key in KEYS:
        assert isinstance(result[key], (int, float)) and not isinstance(result[key], bool), key
        assert result[key] >= 0, key
    assert result["members"] == 300
    assert result["figures_p50_ms"] > 0 and result["duckdb_p50_ms"] > 0
    # DuckDB over the exported facts gives the ledger's numbers for every sampled organization and date
    assert result["duckdb_disagreements"] == 0
    assert result["reused_dataset"] is False
    # the meeting book: a year of meetings for every cell, measured (issue 14)
    assert result["meetings_written"] > 0 and result["meetings_record_n"] > 0
    assert result["meetings_country_meetings"] == result["meetings_written"]


def test_bench_reuses_the_dataset_it_generated():
    _bench()
    assert _bench()["reused_dataset"] is True


def test_generate_units_only_writes_the_tree_without_members():
    """`generate --units-only`: the tree the directives tracker needs (bench/cascade_bench.py)."""
    from grassroots.members.models import Member
    from grassroots.organizations.models import Unit, UnitAncestry

    out = StringIO()
    call_command("generate", "--members", "3000", "--units-only", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["units"] == Unit.objects.count() > 50 and data["members"] == 0
    assert not Member.objects.exists()
    assert UnitAncestry.objects.filter(ancestor__code="N").count() == Unit.objects.count()
