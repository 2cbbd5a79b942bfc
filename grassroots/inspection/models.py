"""Inspection, supervision and discipline (kiểm tra, giám sát, kỷ luật; domain-processes.md §3).

A `Case` is one supervision, inspection, denunciation or complaint about an organization or a
member, opened by a deciding body, with its team, findings, conclusion and `Recommendation`s.
A `Decision` is a discipline decision (of a case or on its own) whose effect on the registry is
written through the registry's services: a member's discipline or expulsion is the
`members.MemberEvent` it links to; an organization's reprimand or warning is the assessments'
`OrganizationDiscipline` row; a dissolution is the tree's `UnitChange`. An `Appeal` contests a
decision. A `Programme` is a committee's yearly plan of supervision and inspection, whose
`ProgrammeItem`s are done when the case opened for them is concluded. Nothing is deleted:
decisions are annulled or corrected by appeals, cases closed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    # domain-processes.md §3.2 (Charter Điều 32; QĐ 30 Điều 30).
    REGULAR_SUPERVISION = "regular_supervision", _("Giám sát thường xuyên")
    THEMATIC_SUPERVISION = "thematic_supervision", _("Giám sát chuyên đề")
    VIOLATION_SIGNS = "violation_signs", _("Kiểm tra khi có dấu hiệu vi phạm")
    INSPECTION_DUTIES = (
        "inspection_duties",
        _("Kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát, thi hành kỷ luật"),
    )
    FINANCE = "finance", _("Kiểm tra tài chính đảng")
    DENUNCIATION = "denunciation", _("Giải quyết tố cáo")
    COMPLAINT = "complaint", _("Giải quyết khiếu nại")


SUPERVISION_KINDS = (CaseKind.REGULAR_SUPERVISION, CaseKind.THEMATIC_SUPERVISION)
INSPECTION_KINDS = (CaseKind.VIOLATION_SIGNS, CaseKind.INSPECTION_DUTIES, CaseKind.FINANCE)


class Organ(models.TextChoices):
    """Which organ of the deciding organization acted (its kind says the level)."""

    COMMITTEE = "committee", _("Cấp ủy, ban thường vụ")
    INSPECTION_COMMISSION = "inspection_commission", _("Ủy ban kiểm tra")
    CELL = "cell", _("Chi bộ")


class Conclusion(models.TextChoices):
    VIOLATION = "violation", _("Có vi phạm")
    NO_VIOLATION = "no_violation", _("Không vi phạm")


class Severity(models.TextChoices):
    # QĐ 69 (2022): "ít nghiêm trọng", "nghiêm trọng", "rất nghiêm trọng", "đặc biệt nghiêm trọng".
    MINOR = "minor", _("Ít nghiêm trọng")
    SERIOUS = "serious", _("Nghiêm trọng")
    VERY_SERIOUS = "very_serious", _("Rất nghiêm trọng")
    EXTREME = "extreme", _("Đặc biệt nghiêm trọng")


class Form(models.TextChoices):
    # Điều lệ Điều 35; QĐ 69 Điều 7 (domain.md §2.9).
    REPRIMAND = "reprimand", _("Khiển trách")
    WARNING = "warning", _("Cảnh cáo")
    DISMISSAL = "dismissal", _("Cách chức")
    EXPULSION = "expulsion", _("Khai trừ")
    DISSOLUTION = "dissolution", _("Giải tán")


MEMBER_FORMS = (Form.REPRIMAND, Form.WARNING, Form.DISMISSAL, Form.EXPULSION)
ORGANIZATION_FORMS = (Form.REPRIMAND, Form.WARNING, Form.DISSOLUTION)
PROBATIONER_FORMS = (Form.REPRIMAND, Form.WARNING)


class Subject(models.Model):
    """An organization or a member (exactly one), the subject of a case or a decision."""

    subject_unit = models.ForeignKey(
        "organizations.Unit", verbose_name=_("tổ chức đảng"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    subject_member = models.ForeignKey(
        "members.Member", verbose_name=_("đảng viên"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    # The member's cell (or the organization itself) on `placed_on` (the case's opening or the
    # decision's signing, or the subject's last day before it): access and the figures place the
    # row in the tree through this unit on that day.
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    placed_on = models.DateField()
    body = models.ForeignKey(
        "organizations.Unit", verbose_name=_("cơ quan quyết định"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    organ = models.CharField(_("cơ quan"), max_length=24, choices=Organ.choices)
    number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Case(Subject):
    kind = models.CharField(_("loại"), max_length=24, choices=CaseKind.choices)
    title = models.CharField(_("nội dung"), max_length=255)
    team = models.TextField(_("đoàn, tổ kiểm tra, giám sát"), blank=True)
    opened_on = models.DateField(_("ngày quyết định"))
    period_start = models.DateField(_("thời kỳ từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    # Denunciation content and findings are confidential (access: inspectors only).
    content = models.TextField(_("nội dung đơn, dấu hiệu vi phạm"), blank=True)
    findings = models.TextField(_("kết quả kiểm tra, giám sát"), blank=True)
    conclusion = models.CharField(
        _("kết luận"), max_length=16, choices=Conclusion.choices, blank=True
    )
    severity = models.CharField(_("mức độ"), max_length=16, choices=Severity.choices, blank=True)
    concluded_on = models.DateField(_("ngày kết luận"), null=True, blank=True)
    programme_item = models.ForeignKey(
        "ProgrammeItem", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )

    class Meta:
        verbose_name = _("cuộc kiểm tra, giám sát")
        verbose_name_plural = _("cuộc kiểm tra, giám sát")
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "placed_on"]),
            models.Index(fields=["subject_member"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Recommendation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="recommendations")
    text = models.TextField(_("kiến nghị"))
    deadline = models.DateField(_("thời hạn"))
    done_on = models.DateField(_("ngày thực hiện xong"), null=True, blank=True)
    follow_up = models.TextField(_("kết quả theo dõi"), blank=True)

    class Meta:
        ordering = ["deadline", "id"]


class Decision(Subject):
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    form = models.CharField(_("hình thức"), max_length=16, choices=Form.choices)
    reason = models.TextField(_("lý do"), blank=True)
    votes_for = models.PositiveIntegerField(_("số phiếu tán thành"), null=True, blank=True)
    voters = models.PositiveIntegerField(_("số người biểu quyết"), null=True, blank=True)
    signed_on = models.DateField(_("ngày ký"))
    announced_on = models.DateField(_("ngày công bố"))
    # What the decision wrote in the registry (one of them, by subject and form).
    member_event = models.ForeignKey(
        "members.MemberEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_discipline = models.ForeignKey(
        "assessments.OrganizationDiscipline", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    unit_change = models.ForeignKey(
        "organizations.UnitChange", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # Set by an appeal that annulled it (the registry event is voided, never deleted).
    annulled_on = models.DateField(_("ngày bị xóa bỏ"), null=True, blank=True)

    class Meta:
        verbose_name = _("quyết định kỷ luật")
        verbose_name_plural = _("quyết định kỷ luật")
        ordering = ["-announced_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "placed_on"]),
            models.Index(fields=["subject_member", "announced_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.number}".strip()


class SuspensionGround(models.TextChoices):
    # domain-processes.md §3.7 (QĐ 22 Điều 28–31).
    VIOLATION = "violation", _("Có dấu hiệu vi phạm nghiêm trọng, cản trở việc kiểm tra, xử lý")
    PROSECUTION = "prosecution", _("Bị khởi tố, truy tố, tạm giam")


class Suspension(Subject):
    """A suspension of party activity (đình chỉ sinh hoạt đảng) of a member, from `start` to
    `last_day` inclusive (extended, or lifted early on `lifted_on`; never deleted). While it runs
    the member is listed at meetings but not expected (meetings/expected.py)."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="suspensions"
    )
    ground = models.CharField(_("căn cứ"), max_length=16, choices=SuspensionGround.choices)
    reason = models.TextField(_("lý do"), blank=True)
    signed_on = models.DateField(_("ngày ký"))
    start = models.DateField(_("đình chỉ từ ngày"))
    last_day = models.DateField(_("đến hết ngày"))
    extension_number = models.CharField(_("số quyết định gia hạn"), max_length=64, blank=True)
    extended_on = models.DateField(_("ngày gia hạn"), null=True, blank=True)
    lifted_on = models.DateField(_("ngày chấm dứt đình chỉ"), null=True, blank=True)

    class Meta:
        verbose_name = _("đình chỉ sinh hoạt đảng")
        verbose_name_plural = _("đình chỉ sinh hoạt đảng")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["subject_member", "start"])]

    def __str__(self) -> str:
        return f"Đình chỉ sinh hoạt đảng {self.number}".strip()

    def runs_on(self, day) -> bool:
        return self.start <= day <= self.last_day and (
            self.lifted_on is None or day < self.lifted_on
        )


class Outcome(models.TextChoices):
    # domain-processes.md §3.5: chuẩn y / thay đổi / xóa.
    UPHELD = "upheld", _("Chuẩn y")
    CHANGED = "changed", _("Thay đổi hình thức")
    ANNULLED = "annulled", _("Xóa kỷ luật")


class Appeal(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    filed_on = models.DateField(_("ngày nhận đơn"))
    complainant = models.CharField(_("người khiếu nại"), max_length=255)
    content = models.TextField(_("nội dung khiếu nại"), blank=True)
    body = models.ForeignKey(
        "organizations.Unit", verbose_name=_("cơ quan giải quyết"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    outcome = models.CharField(_("kết quả"), max_length=16, choices=Outcome.choices, blank=True)
    new_form = models.CharField(_("hình thức mới"), max_length=16, choices=Form.choices, blank=True)
    decided_on = models.DateField(_("ngày giải quyết"), null=True, blank=True)
    number = models.CharField(_("số quyết định giải quyết"), max_length=64, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khiếu nại kỷ luật")
        verbose_name_plural = _("khiếu nại kỷ luật")
        ordering = ["filed_on", "id"]


class Programme(models.Model):
    """A committee's (or its inspection commission's) yearly inspection and supervision plan."""

    unit = models.ForeignKey(
        "organizations.Unit", verbose_name=_("cấp ủy"), on_delete=models.PROTECT, related_name="+"
    )
    organ = models.CharField(_("cơ quan"), max_length=24, choices=Organ.choices)
    year = models.PositiveIntegerField(_("năm"))
    adopted_on = models.DateField(_("ngày ban hành"))
    number = models.CharField(_("số chương trình"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chương trình kiểm tra, giám sát")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "organ", "year"], name="inspection_one_programme_a_year"
            )
        ]


class ProgrammeItem(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("loại"), max_length=24, choices=CaseKind.choices)
    target_unit = models.ForeignKey(
        "organizations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("nội dung"), max_length=255)
    # The resolution, directive or plan whose carrying out is supervised (directives register).
    document = models.ForeignKey(
        "directives.Document", verbose_name=_("văn bản"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    team = models.TextField(_("đoàn, tổ"), blank=True)

    class Meta:
        ordering = ["start", "id"]


class Scan(models.Model):
    """A scanned decision, conclusion or minutes (stored under the var dir, core/scans.py)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="scans")
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
