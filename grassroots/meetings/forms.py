"""Forms of the meeting pages. They only parse input; the services check the rules and their
messages are put back next to the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.web.forms import ServiceForm, date_field

from .models import MeetingKind

# domain.md §5: the standard items of a regular meeting's agenda, offered as a template.
AGENDA_TEMPLATE = (
    "1. Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.\n"
    "2. Thông tin thời sự, chủ trương, chính sách mới.\n"
    "3. Đánh giá kết quả thực hiện nhiệm vụ tháng trước; phương hướng, nhiệm vụ tháng tới."
)
TIME_FORMATS = ["%H:%M", "%H.%M", "%Hh%M", "%H giờ %M"]


def time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label, input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"placeholder": "hh:mm", "class": "time"}, format="%H:%M"),
    )  # fmt: skip


def text(label, rows=3, required=False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class MeetingForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Loại sinh hoạt"), choices=MeetingKind.choices)
    with_thematic = forms.BooleanField(
        label=_("Kết hợp sinh hoạt chuyên đề trong buổi thường kỳ"), required=False
    )
    subject = forms.CharField(label=_("Chủ đề"), required=False, max_length=255)
    date = date_field(_("Ngày sinh hoạt"))
    start = time_field(_("Giờ bắt đầu"))
    end = time_field(_("Giờ kết thúc"))
    place = forms.CharField(label=_("Địa điểm"), required=False, max_length=255)
    chair = forms.CharField(label=_("Chủ trì"), required=False, max_length=150)
    secretary = forms.CharField(label=_("Thư ký"), required=False, max_length=150)
    guests = text(_("Khách mời (cả đồng chí cấp ủy cấp trên theo dõi chi bộ)"), 2)
    agenda = text(_("Nội dung"), 4)
    documents = text(_("Tài liệu sinh hoạt"), 2)
    documents_posted_on = date_field(_("Ngày đăng tài liệu"), required=False)
    speakers = text(_("Ý kiến phát biểu"), 3)
    conclusions = text(_("Kết luận của chủ trì"), 3)
    resolutions = text(_("Nghị quyết"), 2)
    votes_for = forms.IntegerField(label=_("Số tán thành"), required=False, min_value=0)
    votes_against = forms.IntegerField(label=_("Số không tán thành"), required=False, min_value=0)
    field_aliases = {"unit": "date", "marks": None}


class CorrectionForm(ServiceForm):
    field = forms.ChoiceField(
        label=_("Mục đính chính"),
        choices=[
            ("conclusions", _("Kết luận của chủ trì")),
            ("resolutions", _("Nghị quyết")),
            ("agenda", _("Nội dung")),
            ("speakers", _("Ý kiến phát biểu")),
            ("place", _("Địa điểm")),
            ("guests", _("Khách mời")),
        ],
    )
    value = text(_("Nội dung mới"), 3, required=True)
    reason = forms.CharField(label=_("Lý do đính chính"), max_length=255)


class QualityForm(ServiceForm):
    """The month's self-assessment: one points field per criterion of the sheet in force."""

    note = text(_("Ghi chú (ưu điểm, hạn chế, việc cần khắc phục)"), 3)

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in sheet.criteria:
            self.fields[criterion.key] = forms.IntegerField(
                label=f"{criterion.label} (0–{criterion.points})",
                min_value=0, max_value=criterion.points,
            )  # fmt: skip
        self.order_fields([c.key for c in sheet.criteria] + ["note"])
        self.criteria = [c.key for c in sheet.criteria]
