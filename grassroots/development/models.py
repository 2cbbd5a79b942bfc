"""Member development (phát triển đảng viên): from outstanding candidate to official member.

A `Candidate` is a person proposed to a cell (quần chúng ưu tú), with the same profile fields as
a member so that admission copies them instead of re-typing. Each step of the file is a dated
`CaseStep` with its document; `CaseSpan` rows (derived, like member stints) say in which cell and
at which stage the case stood over each interval, so pipeline counts for any organization on any
date are one indexed query through the closure. Rule values (ages, 2/3, 30 working days...) are
dated `RuleSet`s with their `RuleValue`s, like the rating schemes; `Holiday` rows are the public
holidays the working-day deadlines skip.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.members.models import Person


class RuleSet(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    effective = models.DateField(_("ngày hiệu lực"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("quy định kết nạp")
        verbose_name_plural = _("quy định kết nạp")
        ordering = ["effective"]

    def __str__(self) -> str:
        return self.name


class RuleValue(models.Model):
    """One parameter of a rule set. `confirmed=False` = [UNCONFIRMED] in domain.md."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="values")
    key = models.CharField(_("quy tắc"), max_length=64)
    value = models.JSONField(_("giá trị"))
    confirmed = models.BooleanField(_("đã xác minh"), default=True)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        ordering = ["rule_set_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "key"], name="development_rule_key")
        ]

    def __str__(self) -> str:
        return f"{self.rule_set.code}:{self.key}"


class Holiday(models.Model):
    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên ngày lễ"), max_length=128)
    # Removed from the schedule (kept, never deleted; `development.rulesets.holiday_remove`).
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = _("ngày nghỉ lễ")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} {self.date:%d/%m/%Y}"


class ProposalSource(models.TextChoices):
    YOUTH_UNION = "youth_union", _("Đoàn TNCS Hồ Chí Minh giới thiệu")
    TRADE_UNION = "trade_union", _("Công đoàn giới thiệu")
    MASS_ORGANIZATION = "mass_org", _("Đoàn thể chính trị - xã hội khác giới thiệu")
    CELL = "cell", _("Chi bộ phát hiện, bồi dưỡng")


class ReadmissionBar(models.TextChoices):
    # QĐ 232 §3 (kept by QĐ 294, domain-processes.md §0): people who are never re-admitted.
    NONE = "", _("Không thuộc diện loại trừ")
    QUIT = "quit", _("Tự bỏ sinh hoạt đảng")
    APPLIED_TO_LEAVE = "applied_to_leave", _("Xin ra khỏi Đảng")
    DISUNITY = "disunity", _("Gây mất đoàn kết nghiêm trọng")
    CORRUPTION = "corruption", _("Bị kết án về tội tham nhũng")
    SERIOUS_CRIME = "serious_crime", _("Bị kết án về tội nghiêm trọng trở lên")


class Candidate(Person):
    # The member's profile (members.models.Person), checked by the same code.
    profile_number = models.CharField(_("số lý lịch"), max_length=16, blank=True)
    youth_union = models.BooleanField(_("đoàn viên"), default=False)
    # The case.
    cell = models.ForeignKey(
        "organizations.Unit", verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("ngày đưa vào danh sách"))
    source = models.CharField(_("nguồn giới thiệu"), max_length=16, choices=ProposalSource.choices)
    helper = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên giúp đỡ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A re-admission case names the former member; the admission step then re-admits them.
    former_member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    readmission_bar = models.CharField(
        _("diện không kết nạp lại"), max_length=16, choices=ReadmissionBar.choices, blank=True
    )
    age_exception = models.CharField(
        _("quyết định cho phép trên 60 tuổi"), max_length=255, blank=True
    )
    # Set by the ceremony step: the registry's member created (or re-admitted) by it.
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(_("ngày đưa ra khỏi danh sách"), null=True, blank=True)
    close_reason = models.TextField(_("lý do"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("quần chúng ưu tú")
        verbose_name_plural = _("quần chúng ưu tú")
        ordering = ["search_name", "id"]

    def __str__(self) -> str:
        return self.full_name


class StepKind(models.TextChoices):
    PROPOSED = "proposed", _("Đưa vào danh sách quần chúng ưu tú")
    MOVED = "moved", _("Chuyển sang chi bộ khác")
    CERTIFICATE = "certificate", _("Giấy chứng nhận học lớp nhận thức về Đảng")
    APPLICATION = "application", _("Đơn xin vào Đảng (mẫu 1-KNĐ)")
    BACKGROUND = "background", _("Lý lịch người xin vào Đảng (mẫu 2-KNĐ)")
    INTRODUCTION = "introduction", _("Giới thiệu người vào Đảng")
    VERIFICATION = "verification", _("Thẩm tra lý lịch")
    CELL_VOTE = "cell_vote", _("Chi bộ xét, biểu quyết")
    UPPER_RULING = "upper_ruling", _("Cấp trên xem xét sau 3 lần biểu quyết không đạt")
    GRASSROOTS_PROPOSAL = "grassroots", _("Đảng ủy cơ sở đề nghị kết nạp")
    DECISION = "decision", _("Quyết định kết nạp")
    CEREMONY = "ceremony", _("Lễ kết nạp")
    RECOGNITION = "recognition", _("Công nhận đảng viên chính thức")
    CLOSED = "closed", _("Đưa ra khỏi danh sách")


class IntroducedBy(models.TextChoices):
    MEMBERS = "members", _("Hai đảng viên chính thức")
    YOUTH_UNION = "youth_union", _("Ban Chấp hành Đoàn cơ sở")
    TRADE_UNION = "trade_union", _("Ban Chấp hành Công đoàn cơ sở")


class CaseStep(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("bước"), max_length=16, choices=StepKind.choices)
    date = models.DateField(_("ngày"))
    unit = models.ForeignKey(
        "organizations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_number = models.CharField(_("số văn bản"), max_length=64, blank=True)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    course = models.CharField(_("khóa học"), max_length=255, blank=True)
    introduced_by = models.CharField(
        _("giới thiệu bởi"), max_length=16, choices=IntroducedBy.choices, blank=True
    )
    introducer_1 = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    introducer_2 = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    official_members = models.PositiveIntegerField(_("số đảng viên chính thức"), null=True)
    votes_for = models.PositiveIntegerField(_("số tán thành"), null=True)
    passed = models.BooleanField(_("đạt"), null=True)
    upper_approval = models.CharField(_("văn bản đồng ý của cấp trên"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(_("lý do hủy"), blank=True)

    class Meta:
        verbose_name = _("bước phát triển đảng viên")
        ordering = ["candidate_id", "date", "id"]
        indexes = [models.Index(fields=["candidate", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class Stage(models.TextChoices):
    """Where a case stands; ordered as the file progresses (rules.STAGE_ORDER)."""

    PROPOSED = "proposed", _("Quần chúng ưu tú")
    CERTIFIED = "certified", _("Đã học lớp nhận thức")
    APPLIED = "applied", _("Đã làm hồ sơ")
    INTRODUCED = "introduced", _("Đã có người giới thiệu")
    VERIFIED = "verified", _("Đã thẩm tra lý lịch")
    CELL_PASSED = "cell_passed", _("Chi bộ đề nghị kết nạp")
    ESCALATED = "escalated", _("Chờ cấp trên (3 lần không đạt)")
    PROPOSED_UP = "proposed_up", _("Đảng ủy cơ sở đề nghị")
    DECIDED = "decided", _("Có quyết định, chờ lễ kết nạp")
    PROBATION = "probation", _("Đảng viên dự bị")
    OFFICIAL = "official", _("Đảng viên chính thức")
    CLOSED = "closed", _("Ra khỏi danh sách")


class CaseSpan(models.Model):
    """Derived: the case sat in `unit` at `stage` over [start, end). Rebuilt by the services."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="spans")
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "start"])]


class Document(models.Model):
    """An uploaded scan (PDF/image) of a step's document, stored under the var dir."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="documents")
    step = models.ForeignKey(
        CaseStep, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("tên tài liệu"), max_length=255)
    path = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title
