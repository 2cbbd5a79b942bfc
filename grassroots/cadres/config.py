"""The cadres module's configuration: qualification levels and their order, which posts have a
single holder and which may be filled by an appointed outsider, and the seeded standards.

Standards are dated rows (`StandardVersion`, `StandardRule`), like the development rule sets:
`ensure_seeded` writes the defaults below once (migration 0002 and the test fixtures); a
commission edits its own rows. Each default cites its source; [UNCONFIRMED] ones have
`confirmed=False` and stay configurable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from .models import Post, QualKind

# Levels per kind, lowest first; a level "meets" a required one when its rank is at least it.
LEVELS: dict[str, list[tuple[str, str]]] = {
    QualKind.EDUCATION: [
        ("primary", "Tiểu học"),
        ("lower_secondary", "Trung học cơ sở"),
        ("upper_secondary", "Trung học phổ thông"),
    ],
    QualKind.PROFESSIONAL: [
        ("elementary", "Sơ cấp"),
        ("intermediate", "Trung cấp"),
        ("college", "Cao đẳng"),
        ("university", "Đại học"),
        ("master", "Thạc sĩ"),
        ("doctor", "Tiến sĩ"),
    ],
    # domain-processes.md §2.2 (QĐ 57/2022 Điều 3; QĐ 350/2025): sơ cấp, trung cấp, cao cấp;
    # cử nhân chính trị counts as cao cấp (secondary source), so both share a rank.
    QualKind.THEORY: [
        ("elementary", "Sơ cấp"),
        ("intermediate", "Trung cấp"),
        ("senior", "Cao cấp"),
        ("bachelor", "Cử nhân chính trị"),
    ],
    QualKind.STATE_MANAGEMENT: [
        ("officer", "Chuyên viên"),
        ("principal", "Chuyên viên chính"),
        ("senior", "Chuyên viên cao cấp"),
    ],
    QualKind.IT: [("basic", "Cơ bản"), ("advanced", "Nâng cao")],
    QualKind.LANGUAGE: [("a", "A, bậc 1–2"), ("b", "B, bậc 3"), ("c", "C, bậc 4–6")],
}
_SAME_RANK = {(QualKind.THEORY, "bachelor"): (QualKind.THEORY, "senior")}


def level_codes(kind: str) -> list[str]:
    return [code for code, _label in LEVELS.get(kind, [])]


def rank(kind: str, level: str) -> int:
    kind, level = _SAME_RANK.get((kind, level), (kind, level))
    codes = level_codes(kind)
    return codes.index(level) if level in codes else -1


def level_label(kind: str, level: str) -> str:
    return dict(LEVELS.get(kind, [])).get(level, level)


# One holder at a time (the others may have several: two deputies, a whole committee).
SINGLE_HOLDER = {Post.SECRETARY, Post.INSPECTION_CHAIR}
# Posts the committee above may fill by appointing someone from outside the organization
# ("khi thật cần thiết" cấp ủy cấp trên chỉ định, domain-processes.md §2.5, QĐ 294).
OUTSIDER_ALLOWED = {Post.SECRETARY, Post.DEPUTY, Post.STANDING, Post.COMMITTEE, Post.CELL_COMMITTEE}
# Posts whose holders are counted as the organization's leaders ("who led X on D").
LEADERS = [Post.SECRETARY, Post.DEPUTY]


# --- Committee sizes (dated) ------------------------------------------------------------------

# The posts that make up the committee (cấp ủy / chi ủy), each seat a different person, and those
# of its standing committee; the inspection commission is a body of its own.
COMMITTEE_POSTS = (Post.SECRETARY, Post.DEPUTY, Post.STANDING, Post.COMMITTEE, Post.CELL_COMMITTEE)
STANDING_POSTS = (Post.SECRETARY, Post.DEPUTY, Post.STANDING)


@dataclass(frozen=True)
class SizeRule:
    """The largest committee a congress may elect, for organizations of `kinds` (and
    `grassroots_type`, "" for any) from `effective`. For cells, `cell_threshold`: a cell with at
    least that many official members elects a chi ủy; a smaller one only a secretary and deputies
    (`small_deputies`). None = not limited by this rule."""

    code: str
    effective: dt.date
    kinds: tuple[str, ...]
    grassroots_type: str = ""
    max_committee: int | None = None
    max_standing: int | None = None
    max_deputies: int | None = None
    cell_threshold: int | None = None
    small_deputies: int | None = None
    source: str = ""


CELL_KINDS_FOR_SIZE = ("subordinate_cell", "grassroots_cell")
# domain-processes.md §2.5. Before these rules and for other organizations (đảng bộ cơ sở other
# than communes, partial committees, districts, the province) no size is checked: the sources
# read give none [UNCONFIRMED] — a province adds its own rows here.
SIZE_RULES = [
    # CT 45-CT/TW (14/4/2025), congresses of communes, wards and special zones for 2025–2030:
    # executive committee 27–33 (the upper bound 33 for a commune formed from 3+ communes),
    # standing committee 9–11, two deputy secretaries.
    SizeRule("CT45-2025", dt.date(2025, 4, 14), ("grassroots_committee",), "commune",
             max_committee=33, max_standing=11, max_deputies=2, source="Chỉ thị 45-CT/TW"),
    # QĐ 294-QĐ/TW (from 1/7/2025): a cell with ≥ 9 official members elects a chi ủy of at most
    # 7 and, from it, the secretary and one deputy; a smaller cell elects a secretary and, if
    # needed, one deputy.
    SizeRule("QĐ294-2025", dt.date(2025, 7, 1), CELL_KINDS_FOR_SIZE, max_committee=7,
             max_deputies=1, cell_threshold=9, small_deputies=1, source="Quy định 294-QĐ/TW"),
]  # fmt: skip


def size_rule_on(day: dt.date, kind: str, grassroots_type: str) -> SizeRule | None:
    """The size rule in force on `day` for an organization of that kind, if any."""
    found = None
    for rule in SIZE_RULES:
        if (
            rule.effective <= day
            and kind in rule.kinds
            and rule.grassroots_type in ("", grassroots_type)
            and (found is None or rule.effective >= found.effective)
        ):
            found = rule
    return found


def post_label(post: str, unit_kind: str = "") -> str:
    label = str(Post(post).label)
    if post == Post.SECRETARY and unit_kind.endswith("cell"):
        return "Bí thư chi bộ"
    return label


# The seeded standards: (code, name, effective, note, [(post, unit_kind, grassroots_type, kind,
# min_level, confirmed, source)]).
_COMMUNE = ("grassroots_committee", "commune")
# NĐ 33/2023's qualifications (domain-processes.md §2.4), kept unchanged by CT 45 (2025).
_ND33_ROWS = [
    (Post.SECRETARY, *_COMMUNE, QualKind.EDUCATION, "upper_secondary", True, "NĐ 33/2023"),
    (Post.SECRETARY, *_COMMUNE, QualKind.THEORY, "intermediate", False, ""),
    (Post.SECRETARY, *_COMMUNE, QualKind.PROFESSIONAL, "university", True, "NĐ 33/2023"),
    (Post.DEPUTY, *_COMMUNE, QualKind.THEORY, "intermediate", False, ""),
    (Post.DEPUTY, *_COMMUNE, QualKind.PROFESSIONAL, "university", True, "NĐ 33/2023"),
    (Post.SECRETARY, "grassroots_cell", "", QualKind.THEORY, "elementary", False, ""),
    (Post.SECRETARY, "subordinate_cell", "", QualKind.THEORY, "elementary", False, ""),
]
SEED = [
    (
        "CHUAN-2004",
        "Tiêu chuẩn cán bộ chủ chốt cơ sở (mặc định) [UNCONFIRMED]",
        dt.date(2004, 1, 1),
        "Bộ mặc định của hệ thống, chưa đối chiếu văn bản; tỉnh sửa theo quy định của mình.",
        [
            (Post.SECRETARY, *_COMMUNE, QualKind.EDUCATION, "upper_secondary", False, ""),
            (Post.SECRETARY, *_COMMUNE, QualKind.THEORY, "intermediate", False, ""),
            (Post.SECRETARY, *_COMMUNE, QualKind.PROFESSIONAL, "intermediate", False, ""),
            (Post.DEPUTY, *_COMMUNE, QualKind.THEORY, "intermediate", False, ""),
            (Post.DEPUTY, *_COMMUNE, QualKind.PROFESSIONAL, "intermediate", False, ""),
            (Post.SECRETARY, "grassroots_cell", "", QualKind.THEORY, "elementary", False, ""),
            (Post.SECRETARY, "subordinate_cell", "", QualKind.THEORY, "elementary", False, ""),
        ],
    ),
    (
        "ND33-2023",
        "Nghị định 33/2023/NĐ-CP: bí thư, phó bí thư đảng ủy xã có bằng đại học",
        dt.date(2023, 8, 1),
        "domain-processes.md §2.4. Lý luận chính trị trung cấp và các chức danh khác: "
        "[UNCONFIRMED], giữ như bộ mặc định.",
        _ND33_ROWS,
    ),
    (
        "CT45-2025",
        "Chỉ thị 45-CT/TW: đại hội nhiệm kỳ 2025–2030 (tuổi tham gia cấp ủy)",
        dt.date(2025, 4, 14),
        "domain-processes.md §2.4: cấp ủy viên lần đầu còn đủ một nhiệm kỳ công tác, tái cử còn "
        "ít nhất 48 tháng, tính đến ngày khai mạc đại hội. Trình độ giữ như NĐ 33/2023.",
        _ND33_ROWS,
    ),
]
# Age and term limits per version: (version code, unit_kind or "", months left when first
# elected, months left when re-elected, confirmed, source). CT 45 (14/4/2025, domain-processes.md
# §2.4): ≥ one full term (5 years) for a first election, ≥ 48 months for a re-election.
AGE_SEED = [("CT45-2025", "", 60, 48, True, "Chỉ thị 45-CT/TW")]
# Posts of the committee itself (cấp ủy, chi ủy) to which the age limits apply; the inspection
# commission is elected by the committee, not by the congress.
AGE_POSTS = {Post.SECRETARY, Post.DEPUTY, Post.STANDING, Post.COMMITTEE, Post.CELL_COMMITTEE}

# Retirement age in normal working conditions, in months, by the year it is reached:
# [UNCONFIRMED] not in domain.md — Bộ luật Lao động 2019 Điều 169 and NĐ 135/2020: from 2021
# men 60 years 3 months, +3 months a year to 62; women 55 years 4 months, +4 months a year to 60.
RETIREMENT = {"M": (60 * 12, 3, 62 * 12), "F": (55 * 12, 4, 60 * 12)}


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def retirement_day(birth: dt.date, gender: str) -> dt.date:
    """The day a person born on `birth` reaches the retirement age of the year they reach it."""
    base, step, cap = RETIREMENT.get(gender, RETIREMENT["M"])
    for year in range(birth.year + base // 12, birth.year + cap // 12 + 2):
        months = base if year <= 2020 else min(cap, base + step * (year - 2020))
        day = _add_months(birth, months)
        if day.year <= year:
            return day
    return _add_months(birth, cap)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (negative when `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


@transaction.atomic
def ensure_seeded() -> None:
    from .models import AgeRule, StandardRule, StandardVersion

    seed_rows(StandardVersion, StandardRule, AgeRule)


def seed_rows(StandardVersion, StandardRule, AgeRule) -> None:  # noqa: N803 (migration models)
    """The seeded versions and their rules, each once (migrations 0002, 0004 and the tests)."""
    for code, name, effective, note, rules in SEED:
        version, created = StandardVersion.objects.get_or_create(
            code=code, defaults={"name": name, "effective": effective, "note": note}
        )
        if created:
            StandardRule.objects.bulk_create(
                StandardRule(
                    version=version, post=p, unit_kind=k, grassroots_type=t, kind=q,
                    min_level=lvl, confirmed=ok, source=src,
                )
                for p, k, t, q, lvl, ok, src in rules
            )  # fmt: skip
    if AgeRule is None:
        return
    for code, kind, first, again, ok, src in AGE_SEED:
        version = StandardVersion.objects.get(code=code)
        if not AgeRule.objects.filter(version=version).exists():
            AgeRule.objects.create(version=version, unit_kind=kind, first_months=first,
                                   reelected_months=again, confirmed=ok, source=src)  # fmt: skip


def standards_on(day: dt.date) -> tuple:
    """The rules of the version in force on `day`: ((post, unit_kind, type, kind, level), ...)."""
    from .models import StandardVersion

    version = StandardVersion.objects.filter(effective__lte=day).order_by("-effective").first()
    if version is None:
        return ()
    return tuple(
        version.rules.values_list("post", "unit_kind", "grassroots_type", "kind", "min_level")
    )


def age_rules_table() -> list[tuple[dt.date, tuple]]:
    """Every version's age limits by effective day, oldest first (two queries): a check looks
    up the congress day of each term in it."""
    from .models import AgeRule, StandardVersion

    rules: dict[int, list] = {}
    for version_id, *rule in AgeRule.objects.values_list(
        "version_id", "unit_kind", "first_months", "reelected_months", "source"
    ):
        rules.setdefault(version_id, []).append(tuple(rule))
    return [
        (effective, tuple(rules.get(pk, ())))
        for pk, effective in StandardVersion.objects.order_by("effective").values_list(
            "pk", "effective"
        )
    ]


def age_rules_on(day: dt.date, table: list | None = None) -> tuple:
    """The age limits of the version in force on `day`: ((unit_kind, first, re-elected months,
    source), ...)."""
    in_force = [rules for effective, rules in (table or age_rules_table()) if effective <= day]
    return in_force[-1] if in_force else ()
