import sys

from django.db import migrations


def code_members(apps, schema_editor):
    # Derived data: the demo and existing databases get their members' category codes from the
    # typed text, by the same code that re-codes them later (derived.member_codes.recode).
    # Values that match no category keep their text, get the code "unmapped" and are reported
    # here and on the statistics page (`grassroots categories` lists them again): never dropped.
    from grassroots.derived.member_codes import recode

    Member = apps.get_model("members", "Member")
    CategoryCoding = apps.get_model("members", "CategoryCoding")
    unmapped = recode(Member, CategoryCoding)
    for field, values in unmapped.items():
        if values:
            listed = "; ".join(f"{raw!r}: {n}" for raw, n in values.most_common(20))
            more = f" (và {len(values) - 20} giá trị khác)" if len(values) > 20 else ""
            sys.stdout.write(
                f"\n  {field}: {sum(values.values())} đảng viên có giá trị chưa phân loại "
                f"— {listed}{more}"
            )


class Migration(migrations.Migration):
    dependencies = [("members", "0006_category_codes")]

    operations = [migrations.RunPython(code_members, migrations.RunPython.noop)]
