"""Annual quality assessment (kiểm điểm, đánh giá, xếp loại chất lượng), domain.md §3.

A `Scheme` is one dated rule version (HD 20/2008, HD 27/2014, QĐ 132, QĐ 124, QĐ 366): its
`Level`s for organizations and for members, and its `Rule` parameters, each flagged when the
rule is [UNCONFIRMED] in domain.md. Schemes are data (seeded by a migration); adding one never
touches the years another governs. A rating always points at its scheme's level: old labels
are never mapped onto new ones (domain.md §3.1 "Design").

A `Round` is the yearly workflow for one subtree (anchors.md §1.2, the DHIS2 approval pattern):
self-assessment, proposal and decision are separate `Rating` rows (step), a re-entry supersedes
the previous row of the same step instead of overwriting it, and `RoundAction` rows (approve,
send back) lock or unlock a subtree's results.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    ORGANIZATION = "organization", _("Tổ chức đảng")
    MEMBER = "member", _("Đảng viên")


class Scheme(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    instruments = models.CharField(_("văn bản"), max_length=255)
    effective = models.DateField(_("ngày hiệu lực"))
    # The assessment years the scheme governs (inclusive); null = still in force.
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    has_score = models.BooleanField(_("chấm điểm (thang 100)"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("quy định xếp loại")
        verbose_name_plural = _("quy định xếp loại")
        ordering = ["first_year"]

    def __str__(self) -> str:
        return self.name

    def governs(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


class Level(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="levels")
    subject = models.CharField(_("đối tượng"), max_length=12, choices=Subject.choices)
    code = models.CharField(_("mã"), max_length=32)
    label = models.CharField(_("mức xếp loại"), max_length=255)
    order = models.PositiveSmallIntegerField(_("thứ tự"))  # 1 = highest
    is_top = models.BooleanField(_("mức cao nhất"), default=False)
    # 100-point schemes: lowest score of the band (the band ends at the next level's minimum).
    min_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    label_confirmed = models.BooleanField(_("tên mức đã xác minh"), default=True)

    class Meta:
        ordering = ["scheme_id", "subject", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "subject", "code"], name="assessments_level_code"
            ),
            models.UniqueConstraint(
                fields=["scheme", "subject", "order"], name="assessments_level_order"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Rule(models.Model):
    """One rule parameter of a scheme. `confirmed=False` = [UNCONFIRMED] in domain.md: enforced
    as configured, and shown as unconfirmed wherever it bites."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules")
    key = models.CharField(_("quy tắc"), max_length=64)
    value = models.JSONField(_("giá trị"))
    confirmed = models.BooleanField(_("đã xác minh"), default=True)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    description = models.TextField(_("nội dung"), blank=True)

    class Meta:
        ordering = ["scheme_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="assessments_rule_key")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code}:{self.key}"


class Round(models.Model):
    year = models.PositiveSmallIntegerField(_("năm"))
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("đợt đánh giá")
        verbose_name_plural = _("đợt đánh giá")
        ordering = ["-year", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="assessments_round_year_unit")
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.unit.code}"


class Step(models.TextChoices):
    SELF = "self", _("Tự đánh giá, tự xếp loại")
    PROPOSAL = "proposal", _("Đề xuất xếp loại")
    DECISION = "decision", _("Quyết định xếp loại")


class Rating(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ratings")
    year = models.PositiveSmallIntegerField()
    # Foreign keys already led by a composite index, or never looked up alone, get no index of
    # their own: a province's year is ~60,000 rows and every index slows the bulk insert.
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", db_index=False)
    step = models.CharField(_("bước"), max_length=10, choices=Step.choices)
    subject = models.CharField(max_length=12, choices=Subject.choices)
    # The organization rated, or the member's cell at the end of the year.
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The grassroots organization the subject belongs to at the end of the year (quota group).
    grassroots = models.ForeignKey(
        "organizations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", db_index=False)
    score = models.DecimalField(_("điểm"), max_digits=5, decimal_places=2, null=True, blank=True)
    facts = models.JSONField(default=dict, blank=True)  # task shares entered with the rating
    flags = models.JSONField(default=list, blank=True)  # e.g. ["removal_procedure"]
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "step", "unit"],
                condition=Q(superseded_at__isnull=True, member__isnull=True),
                name="assessments_rating_current_org",
            ),
            models.UniqueConstraint(
                fields=["round", "step", "member"],
                condition=Q(superseded_at__isnull=True, member__isnull=False),
                name="assessments_rating_current_member",
            ),
        ]
        indexes = [
            # Covers the decided ratings of a year under some organizations (results page): read
            # from the index alone, the rows' JSON facts never touched (issue 11 §9).
            models.Index(
                fields=[
                    "year",
                    "step",
                    "subject",
                    "grassroots",
                    "superseded_at",
                    "member",
                    "level",
                ],
                name="assessments_rating_cover",
            ),
            models.Index(fields=["member", "year"]),
            models.Index(fields=["unit", "year"]),
        ]

    def __str__(self) -> str:
        who = self.member_id and f"đv {self.member_id}" or f"tc {self.unit_id}"
        return f"{self.year} {self.get_step_display()} {who}: {self.level_id}"


class MemberRatingCount(models.Model):
    """Derived: decided, current member ratings counted per year, grassroots organization and
    level, as signed deltas (a rating superseded adds -1 to its old level, its successor +1).

    Appended by the one rating writer (`services._write`) in its own transaction, never updated
    (no two writers contend for a row); `counts.rebuild` recomputes it from `Rating`. A yearly
    trend of a province then sums ~3,000 rows a year instead of reading its ~60,000 ratings
    (issue 11 §9; docs/assessments.md "Yearly counts"). The subtree is applied when reading,
    through the closure as of each year's end, so the counts survive a later restructuring.
    """

    year = models.PositiveSmallIntegerField()
    grassroots = models.ForeignKey(
        "organizations.Unit", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", db_index=False)
    delta = models.IntegerField()

    class Meta:
        # Covering: a year's sum by level is read from the index alone.
        indexes = [
            models.Index(
                fields=["year", "grassroots", "level", "delta"], name="assessments_count_cover"
            )
        ]


class RoundAction(models.Model):
    """Approval (locks the subtree's results) or sending back (unlocks, with a reason)."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Phê duyệt")
        SEND_BACK = "send_back", _("Trả lại")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="actions")
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(_("lý do"), blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["round_id", "unit_id", "id"]
        indexes = [models.Index(fields=["round", "unit"])]


class DisciplineTarget(models.TextChoices):
    ORGANIZATION = "organization", _("Tổ chức đảng")
    LEADERSHIP = "leadership", _("Tập thể lãnh đạo (cấp ủy, ban thường vụ)")


class OrganizationDisciplineForm(models.TextChoices):
    # Điều lệ Điều 35; QĐ 69 Điều 7 (domain.md §2.9): sanctions for organizations.
    REPRIMAND = "reprimand", _("Khiển trách")
    WARNING = "warning", _("Cảnh cáo")
    DISSOLUTION = "dissolution", _("Giải tán")


class OrganizationDiscipline(models.Model):
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    target = models.CharField(_("đối tượng"), max_length=16, choices=DisciplineTarget.choices)
    form = models.CharField(
        _("hình thức"), max_length=16, choices=OrganizationDisciplineForm.choices
    )
    date = models.DateField(_("ngày hiệu lực"))
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuing_body = models.CharField(_("cơ quan quyết định"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(_("lý do hủy"), blank=True)

    class Meta:
        verbose_name = _("kỷ luật tổ chức đảng")
        verbose_name_plural = _("kỷ luật tổ chức đảng")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["unit", "date"])]

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.unit_id} {self.date:%d/%m/%Y}"


class ConsolidationPlan(models.Model):
    """Kế hoạch củng cố for an organization rated weak / not completed in `year`."""

    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm xếp loại"))
    measures = models.TextField(_("biện pháp củng cố"))
    responsible = models.CharField(_("người, cơ quan phụ trách"), max_length=255, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("kế hoạch củng cố")
        verbose_name_plural = _("kế hoạch củng cố")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assessments_plan_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"
