"""The rating schemes since 2008 (domain.md §0 and §3), as data.

Which assessment years a scheme governs: the year-end review of year Y follows the newest
instrument in force by then (the review happens in November–December, domain.md §3.4 timeline):
HD 20 (10/10/2008) → 2008–2013; HD 27 (25/9/2014) → 2014–2017; QĐ 132 (8/3/2018) → 2018–2022;
QĐ 124 (4/10/2023, HD 25 of 10/11/2023 written for the 2023 review) → 2023–2024;
QĐ 366 (30/8/2025, HD 43 of 31/10/2025) → 2025 onwards.

The data is frozen here on purpose: a later scheme is a new migration, never an edit of this one.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

OLD_ORG = [
    ("trong_sach_vung_manh", "Trong sạch, vững mạnh", True),
    ("hoan_thanh_tot", "Hoàn thành tốt nhiệm vụ", True),
    ("hoan_thanh", "Hoàn thành nhiệm vụ", True),
    ("yeu_kem", "Yếu kém", True),
]
# domain.md §3.1: the wording follows common usage; the exact 2014 text is [UNCONFIRMED].
OLD_MEMBER = [
    ("xuat_sac", "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ", False),
    ("tot", "Đủ tư cách, hoàn thành tốt nhiệm vụ", False),
    ("hoan_thanh", "Đủ tư cách, hoàn thành nhiệm vụ", False),
    ("vi_pham", "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ", False),
]
NEW = [
    ("xuat_sac", "Hoàn thành xuất sắc nhiệm vụ", True),
    ("tot", "Hoàn thành tốt nhiệm vụ", True),
    ("hoan_thanh", "Hoàn thành nhiệm vụ", True),
    ("khong_hoan_thanh", "Không hoàn thành nhiệm vụ", True),
]
SCORES = [Decimal(90), Decimal(70), Decimal(50), Decimal(0)]  # QĐ 366 Điều 11

COMMON = [
    # (key, value, confirmed, source, description)
    (
        "late_admission_cutoff", "07-01", False, "[UNCONFIRMED] thực tiễn",
        "Đảng viên kết nạp từ ngày này (tháng-ngày) trong năm được kiểm điểm nhưng chưa xếp loại.",
    ),
    (
        "exempt_members_rated", False, False, "domain.md §2.8 (HD 27-HD/BTCTW 2009); [UNCONFIRMED]",
        "Đảng viên được miễn công tác và sinh hoạt đảng vào cuối năm không xếp loại.",
    ),
    (
        "member_decider", "grassroots", False, "domain.md §3.4: thực tiễn, [UNCONFIRMED]",
        "Cấp quyết định xếp loại đảng viên: đảng ủy cơ sở (chi bộ cơ sở) nơi đảng viên sinh hoạt cuối năm.",
    ),
    (
        "removal_after_not_completed_years", 2, False, "Điều lệ Điều 8; QĐ 24 §8.1 (d), cách diễn đạt [UNCONFIRMED]",
        "Đảng viên xếp loại mức thấp nhất hai năm liền được đưa vào diện xem xét xóa tên.",
    ),
]


def org_decider(confirmed, source):
    return (
        "org_decider", "parent", confirmed, source,
        "Ban thường vụ cấp ủy cấp trên trực tiếp quyết định xếp loại tổ chức đảng.",
    )


CAP = (
    "excellent_cap_pct", 20,
    "Số đảng viên Hoàn thành xuất sắc nhiệm vụ không vượt quá 20% số đảng viên Hoàn thành tốt "
    "nhiệm vụ trong mỗi tổ chức cơ sở đảng.",
)
MEMBER_DISCIPLINE = (
    "disciplined_member_max_order", 4,
    "Đảng viên bị kỷ luật trong năm chỉ được xếp loại Không hoàn thành nhiệm vụ.",
)
ORG_DISCIPLINE = (
    "disciplined_org_max_order", 4,
    "Tổ chức đảng hoặc tập thể lãnh đạo bị kỷ luật trong năm chỉ được xếp loại Không hoàn thành nhiệm vụ.",
)
SUBORDINATES = (
    "disciplined_subordinates_pct", 20,
    "Tổ chức có trên 20% tổ chức đảng trực thuộc bị kỷ luật trong năm chỉ được xếp loại Không hoàn thành nhiệm vụ.",
)


def rule(spec, confirmed, source):
    key, value, description = spec
    return (key, value, confirmed, source, description)


SCHEMES = [
    {
        "code": "hd20_2008",
        "name": "Hướng dẫn 20-HD/BTCTW (2008)",
        "instruments": "20-HD/BTCTW ngày 10/10/2008",
        "effective": dt.date(2008, 10, 10),
        "first_year": 2008,
        "last_year": 2013,
        "has_score": False,
        "note": "Tiêu chí và chỉ tiêu từng mức của HD 20 chưa được xác minh (domain.md §7.11).",
        "org": OLD_ORG,
        "member": OLD_MEMBER,
        "rules": COMMON + [org_decider(False, "[UNCONFIRMED]")],
    },
    {
        "code": "hd27_2014",
        "name": "Hướng dẫn 27-HD/BTCTW (2014)",
        "instruments": "27-HD/BTCTW ngày 25/9/2014",
        "effective": dt.date(2014, 9, 25),
        "first_year": 2014,
        "last_year": 2017,
        "has_score": False,
        "note": "Tiêu chí và chỉ tiêu từng mức của HD 27 chưa được xác minh (domain.md §7.11).",
        "org": OLD_ORG,
        "member": OLD_MEMBER,
        "rules": COMMON + [org_decider(False, "[UNCONFIRMED]")],
    },
    {
        "code": "qd132_2018",
        "name": "Quy định 132-QĐ/TW (2018)",
        "instruments": "132-QĐ/TW ngày 8/3/2018; HD 16 (2018); 21-HD/BTCTW (2019)",
        "effective": dt.date(2018, 3, 8),
        "first_year": 2018,
        "last_year": 2022,
        "has_score": False,
        "note": "",
        "org": NEW,
        "member": NEW,
        "rules": COMMON
        + [
            org_decider(False, "[UNCONFIRMED]"),
            rule(CAP, True, "QĐ 132; HD 21-HD/BTCTW (2019), domain.md §3.2"),
            rule(MEMBER_DISCIPLINE, True, "HD 21-HD/BTCTW (2019), domain.md §3.2"),
            rule(ORG_DISCIPLINE, True, "HD 21-HD/BTCTW (2019), domain.md §3.2"),
        ],
    },
    {
        "code": "qd124_2023",
        "name": "Quy định 124-QĐ/TW (2023)",
        "instruments": "124-QĐ/TW ngày 4/10/2023; 25-HD/BTCTW ngày 10/11/2023",
        "effective": dt.date(2023, 10, 4),
        "first_year": 2023,
        "last_year": 2024,
        "has_score": False,
        "note": "",
        "org": NEW,
        "member": NEW,
        "rules": COMMON
        + [
            org_decider(False, "[UNCONFIRMED]"),
            rule(CAP, False, "[UNCONFIRMED] cho QĐ 124 (domain.md §3.3, §7.2)"),
            rule(MEMBER_DISCIPLINE, True, "QĐ 124, domain.md §3.3"),
            rule(ORG_DISCIPLINE, True, "QĐ 124, domain.md §3.3"),
            rule(SUBORDINATES, True, "QĐ 124, domain.md §3.3"),
        ],
    },
    {
        "code": "qd366_2025",
        "name": "Quy định 366-QĐ/TW (2025)",
        "instruments": "366-QĐ/TW ngày 30/8/2025; 43-HD/BTCTW ngày 31/10/2025",
        "effective": dt.date(2025, 8, 30),
        "first_year": 2025,
        "last_year": None,
        "has_score": True,
        "note": "Thang điểm 100: tiêu chí chung 30 điểm, kết quả thực hiện nhiệm vụ 70 điểm.",
        "org": NEW,
        "member": NEW,
        "scores": True,
        "rules": COMMON
        + [
            org_decider(True, "HD 43-HD/BTCTW, domain.md §3.4"),
            rule(CAP, False, "[UNCONFIRMED] cho QĐ 366 (domain.md §3.4, §7.2)"),
            rule(MEMBER_DISCIPLINE, False, "[UNCONFIRMED] theo QĐ 124 (domain.md §3.4, §7.3)"),
            rule(ORG_DISCIPLINE, False, "[UNCONFIRMED] theo QĐ 124 (domain.md §3.4, §7.3)"),
            rule(SUBORDINATES, False, "[UNCONFIRMED] theo QĐ 124 (domain.md §3.4, §7.3)"),
            (
                "score_bands", True, True, "QĐ 366 Điều 11",
                "Xuất sắc từ 90 điểm; tốt từ 70 đến dưới 90; hoàn thành từ 50 đến dưới 70; dưới 50 không hoàn thành.",
            ),
            (
                "excellent_min_exceeding_pct", 30, True, "QĐ 366 Điều 11",
                "Xuất sắc: 100% nhiệm vụ hoàn thành đúng hạn và ít nhất 30% vượt yêu cầu.",
            ),
            (
                "good_requires_all_on_time", True, True, "QĐ 366 Điều 11",
                "Tốt: 100% nhiệm vụ hoàn thành đúng hạn, bảo đảm chất lượng.",
            ),
            (
                "completed_requires_all_tasks", True, True, "QĐ 366 Điều 11",
                "Hoàn thành: 100% nhiệm vụ được hoàn thành.",
            ),
            (
                "collective_completed_max_late_pct", 20, True, "QĐ 366 Điều 11",
                "Tập thể Hoàn thành: không quá 20% nhiệm vụ chậm tiến độ.",
            ),
            (
                "collective_excellent_requires_no_discipline", True, True, "QĐ 366 Điều 11",
                "Tập thể Xuất sắc: không có tổ chức trực thuộc, thành viên tập thể lãnh đạo bị kỷ luật trong năm.",
            ),
        ],
    },
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("assessments", "Scheme")
    Level = apps.get_model("assessments", "Level")
    Rule = apps.get_model("assessments", "Rule")
    for spec in SCHEMES:
        fields = {k: spec[k] for k in ("code", "name", "instruments", "effective", "first_year", "last_year", "has_score", "note")}
        scheme = Scheme.objects.create(**fields)
        for subject, levels in (("organization", spec["org"]), ("member", spec["member"])):
            for order, (code, label, confirmed) in enumerate(levels, start=1):
                Level.objects.create(
                    scheme=scheme, subject=subject, code=code, label=label, order=order, is_top=order == 1,
                    min_score=SCORES[order - 1] if spec["has_score"] else None, label_confirmed=confirmed,
                )
        for key, value, confirmed, source, description in spec["rules"]:
            Rule.objects.create(
                scheme=scheme, key=key, value=value, confirmed=confirmed, source=source, description=description
            )


def unseed(apps, schema_editor):
    apps.get_model("assessments", "Rule").objects.all().delete()
    apps.get_model("assessments", "Level").objects.all().delete()
    apps.get_model("assessments", "Scheme").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
