"""Cadres (issue 15): committees and their terms, posts held over dated intervals, qualifications
as dated facts, training and fostering courses with enrolments, and standards as dated rule
versions (domain-processes.md §2).

Everything is dated: a `Term` (nhiệm kỳ) of one organization's committee runs over [start, end);
a `Holding` is one person in one post of one term over [start, end), each end with its decision;
a `Qualification` is obtained on a day; a `Course` runs over [start, end] (both days included);
a `StandardVersion` applies from its effective day until the next one. Nothing is deleted: rows
are voided with a reason.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Post(models.TextChoices):
    # domain-processes.md §2.5: bí thư, phó bí thư, ban thường vụ, cấp ủy / chi ủy; ủy ban kiểm tra.
    SECRETARY = "secretary", _("Bí thư")
    DEPUTY = "deputy", _("Phó Bí thư")
    STANDING = "standing", _("Ủy viên Ban Thường vụ")
    COMMITTEE = "committee", _("Cấp ủy viên")
    CELL_COMMITTEE = "cell_committee", _("Chi ủy viên")
    INSPECTION_CHAIR = "insp_chair", _("Chủ nhiệm Ủy ban kiểm tra")
    INSPECTION_DEPUTY = "insp_deputy", _("Phó Chủ nhiệm Ủy ban kiểm tra")
    INSPECTION_MEMBER = "insp_member", _("Ủy viên Ủy ban kiểm tra")


class Start(models.TextChoices):
    ELECTED = "elected", _("Bầu tại đại hội / hội nghị")
    APPOINTED = "appointed", _("Chỉ định")


class EndReason(models.TextChoices):
    TERM_ENDED = "term_ended", _("Hết nhiệm kỳ")
    MOVED = "moved", _("Điều động, chuyển công tác")
    RETIRED = "retired", _("Nghỉ hưu")
    DISCIPLINED = "disciplined", _("Kỷ luật")
    DIED = "died", _("Từ trần")
    RESIGNED = "resigned", _("Xin thôi")
    OTHER = "other", _("Lý do khác")


class Term(models.Model):
    """One term of one organization's committee (or of its secretary, for a small cell)."""

    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="cadre_terms"
    )
    name = models.CharField(_("nhiệm kỳ"), max_length=64)  # "2020–2025"
    start = models.DateField(_("ngày bắt đầu"))
    planned_end = models.DateField(_("ngày kết thúc dự kiến"), null=True, blank=True)
    end = models.DateField(_("ngày kết thúc"), null=True, blank=True)  # exclusive
    # The congress or conference that elected it; or the decision that appointed it (a new or
    # merged organization's committee is appointed by the body above, domain-processes.md §2.5).
    how = models.CharField(_("hình thức"), max_length=12, choices=Start.choices)
    congress_date = models.DateField(_("ngày đại hội"), null=True, blank=True)
    delegates = models.PositiveIntegerField(_("số đại biểu"), null=True, blank=True)
    result = models.TextField(_("kết quả"), blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    # Planned seats per post ({"secretary": 1, "deputy": 2, "committee": 15, ...}).
    seats = models.JSONField(_("số lượng theo chức danh"), default=dict, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = _("nhiệm kỳ")
        ordering = ["unit_id", "start"]
        indexes = [models.Index(fields=["unit", "start"])]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.name}"


class Holding(models.Model):
    """One person in one post of one term, over [start, end)."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="holdings")
    # Denormalized from the term for the "posts in a subtree on day D" index.
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="cadre_holdings"
    )
    post = models.CharField(_("chức danh"), max_length=16, choices=Post.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"), null=True, blank=True)  # exclusive
    how = models.CharField(_("hình thức"), max_length=12, choices=Start.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    # An appointed holder from outside the organization (chỉ định từ nơi khác), with the decision.
    outsider = models.BooleanField(_("chỉ định từ nơi khác"), default=False)
    end_reason = models.CharField(
        _("lý do thôi giữ"), max_length=16, choices=EndReason.choices, blank=True
    )
    end_decision = models.CharField(_("quyết định thôi giữ"), max_length=64, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("chức danh cấp ủy")
        verbose_name_plural = _("chức danh cấp ủy")
        ordering = ["unit_id", "start", "id"]
        indexes = [
            models.Index(fields=["unit", "start"]),
            models.Index(fields=["member", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.unit.code}"


class QualKind(models.TextChoices):
    EDUCATION = "education", _("Giáo dục phổ thông")
    PROFESSIONAL = "professional", _("Chuyên môn, nghiệp vụ")
    THEORY = "theory", _("Lý luận chính trị")
    STATE_MANAGEMENT = "state_mgmt", _("Quản lý nhà nước")
    IT = "it", _("Tin học")
    LANGUAGE = "language", _("Ngoại ngữ, tiếng dân tộc")


class Qualification(models.Model):
    """A dated fact: `member` obtained `level` of `kind` on `obtained_on` (with the evidence)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="qualifications"
    )
    kind = models.CharField(_("loại"), max_length=16, choices=QualKind.choices)
    level = models.CharField(_("trình độ"), max_length=24)  # a code of config.LEVELS[kind]
    field = models.CharField(_("chuyên ngành"), max_length=128, blank=True)
    obtained_on = models.DateField(_("ngày cấp"))
    evidence = models.CharField(_("văn bằng, chứng chỉ"), max_length=255, blank=True)
    # Set when the qualification came from completing a training course.
    enrolment = models.OneToOneField(
        "Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="qualification"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("trình độ")
        verbose_name_plural = _("trình độ")
        ordering = ["member_id", "kind", "obtained_on"]
        indexes = [models.Index(fields=["member", "kind", "obtained_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.level}"


class CourseKind(models.TextChoices):
    # domain-processes.md §2.1: đào tạo gives a diploma or level, bồi dưỡng does not.
    TRAINING = "training", _("Đào tạo")
    FOSTERING = "fostering", _("Bồi dưỡng")


class Subject(models.TextChoices):
    THEORY = "theory", _("Lý luận chính trị")
    PROFESSIONAL = "professional", _("Chuyên môn, nghiệp vụ")
    STATE_MANAGEMENT = "state_mgmt", _("Quản lý nhà nước")
    UPDATE = "update", _("Cập nhật kiến thức cho cấp ủy viên")
    PARTY_WORK = "party_work", _("Nghiệp vụ công tác đảng")
    NEW_MEMBER = "new_member", _("Lớp đảng viên mới")
    AWARENESS = "awareness", _("Nhận thức về Đảng")
    IT = "it", _("Tin học")
    LANGUAGE = "language", _("Ngoại ngữ, tiếng dân tộc")
    OTHER = "other", _("Khác")


class Course(models.Model):
    code = models.CharField(_("mã lớp"), max_length=32, unique=True)
    name = models.CharField(_("tên lớp"), max_length=255)
    kind = models.CharField(_("loại hình"), max_length=12, choices=CourseKind.choices)
    subject = models.CharField(_("nội dung"), max_length=16, choices=Subject.choices)
    # The organization that opened the course (its scope decides who may see and enrol).
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    organizer = models.CharField(_("cơ sở đào tạo"), max_length=255, blank=True)
    start = models.DateField(_("ngày khai giảng"))
    end = models.DateField(_("ngày bế giảng"))  # inclusive: the course's date for counting
    # A training course grants this qualification to whoever completes it.
    grants_kind = models.CharField(
        _("văn bằng cấp"), max_length=16, choices=QualKind.choices, blank=True
    )
    grants_level = models.CharField(_("trình độ cấp"), max_length=24, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("lớp đào tạo, bồi dưỡng")
        verbose_name_plural = _("lớp đào tạo, bồi dưỡng")
        ordering = ["-start", "code"]
        indexes = [models.Index(fields=["end"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Result(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Đang học")
    COMPLETED = "completed", _("Hoàn thành")
    FAILED = "failed", _("Không đạt")
    WITHDREW = "withdrew", _("Bỏ học")


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="enrolments"
    )
    enrolled_on = models.DateField(_("ngày nhập học"))
    result = models.CharField(
        _("kết quả"), max_length=12, choices=Result.choices, default=Result.IN_PROGRESS
    )
    result_on = models.DateField(_("ngày có kết quả"), null=True, blank=True)
    certificate = models.CharField(_("số văn bằng, chứng chỉ"), max_length=64, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("học viên")
        verbose_name_plural = _("học viên")
        ordering = ["course_id", "id"]
        indexes = [models.Index(fields=["member"]), models.Index(fields=["course", "result"])]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "member"],
                condition=models.Q(voided_at__isnull=True),
                name="cadres_one_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course.code}: {self.member_id}"


class StandardVersion(models.Model):
    """A dated set of standards (chuẩn hóa), applying from `effective` until the next one."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    effective = models.DateField(_("ngày hiệu lực"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("tiêu chuẩn chức danh")
        verbose_name_plural = _("tiêu chuẩn chức danh")
        ordering = ["effective"]

    def __str__(self) -> str:
        return self.name


class StandardRule(models.Model):
    """Holders of `post` in organizations of `unit_kind` (and `grassroots_type`; "" = any)
    need at least `min_level` of `kind`. `confirmed=False` = [UNCONFIRMED] in domain.md."""

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="rules")
    post = models.CharField(max_length=16, choices=Post.choices)
    unit_kind = models.CharField(max_length=24, blank=True)
    grassroots_type = models.CharField(max_length=16, blank=True)
    kind = models.CharField(max_length=16, choices=QualKind.choices)
    min_level = models.CharField(max_length=24)
    confirmed = models.BooleanField(default=False)
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["version_id", "post", "kind"]

    def __str__(self) -> str:
        return f"{self.version.code}:{self.post}:{self.kind}>={self.min_level}"


class AgeRule(models.Model):
    """Committee members elected at a congress under `version` need working time left until
    retirement on the congress day: `first_months` when first elected to that organization's
    committee, `reelected_months` when re-elected (domain-processes.md §2.4, CT 45)."""

    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="age_rules")
    unit_kind = models.CharField(max_length=24, blank=True)  # "" = every organization
    first_months = models.PositiveIntegerField()
    reelected_months = models.PositiveIntegerField()
    confirmed = models.BooleanField(default=False)
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["version_id", "unit_kind"]

    def __str__(self) -> str:
        return f"{self.version.code}: {self.first_months}/{self.reelected_months}"
