"""Dated qualifications from the member profile's typed education, professional level and
political theory (issue 15; cadres/profile_facts.py). Values that map to no level are printed
and stay in the profile; `grassroots qualifications-from-profile` does the same later (after a
bulk load or an import of profiles) and lists them.

It calls the real writer rather than historical models: the audit trail's hash chain is kept
by the real manager (audit/chain.py), and every created row needs its audit record. A fresh
database has no members, so nothing runs there.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if not apps.get_model("members", "Member").objects.exists():
        return
    from grassroots.audit.services import Actor
    from grassroots.cadres.services import qualifications_from_profile

    plan = qualifications_from_profile(actor=Actor.system())
    print(f"\n  Trình độ chuyển từ hồ sơ: {len(plan.facts)}; chưa phân loại: "
          f"{sum(plan.unmapped.values())}; không có ngày: {plan.undated}")  # fmt: skip
    for (field, text), n in plan.unmapped.most_common():
        print(f"    {field}: “{text}” ({n})")


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0002_seed_standards"),
        ("members", "0004_build_name_index"),
        ("audit", "0004_chain_backfill_sqlite_triggers"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
