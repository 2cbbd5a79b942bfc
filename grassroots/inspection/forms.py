"""Forms of the inspection pages: they parse input; the services check the rules and their
messages come back next to the field they name (web.forms.ServiceForm)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.web.forms import ServiceForm, code_field, date_field

from .models import CaseKind, Conclusion, Form, Organ, Outcome, Severity, SuspensionGround

TEXT = {"rows": 3}


class CaseForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=CaseKind.choices)
    title = forms.CharField(label=_("Nội dung kiểm tra, giám sát"), max_length=255)
    subject_unit_code = code_field(_("Tổ chức đảng là đối tượng"), required=False, pick="unit")
    subject_member_number = forms.CharField(
        label=_("hoặc số lý lịch đảng viên là đối tượng"), required=False, max_length=16
    )
    body_code = code_field(_("Mã tổ chức có cơ quan quyết định"), pick="unit")
    organ = forms.ChoiceField(label=_("Cơ quan quyết định"), choices=Organ.choices)
    number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    opened_on = date_field(_("Ngày quyết định kiểm tra, giám sát"))
    period_start = date_field(_("Thời kỳ kiểm tra, giám sát từ ngày"))
    period_end = date_field(_("đến ngày"))
    team = forms.CharField(label=_("Đoàn, tổ"), required=False, widget=forms.Textarea(attrs=TEXT))
    content = forms.CharField(
        label=_("Nội dung đơn, dấu hiệu vi phạm"), required=False,
        widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip
    field_aliases = {"subject": "subject_unit_code", "body": "body_code"}


class ConcludeForm(ServiceForm):
    concluded_on = date_field(_("Ngày kết luận"))
    conclusion = forms.ChoiceField(label=_("Kết luận"), choices=Conclusion.choices)
    severity = forms.ChoiceField(
        label=_("Mức độ vi phạm"), choices=[("", "—"), *Severity.choices], required=False
    )
    findings = forms.CharField(label=_("Kết quả"), widget=forms.Textarea(attrs={"rows": 6}))


class RecommendationForm(ServiceForm):
    text = forms.CharField(label=_("Kiến nghị"), widget=forms.Textarea(attrs=TEXT))
    deadline = date_field(_("Thời hạn"))


class FollowUpForm(ServiceForm):
    done_on = date_field(_("Ngày thực hiện xong"), required=False)
    follow_up = forms.CharField(
        label=_("Kết quả theo dõi"), required=False, widget=forms.Textarea(attrs=TEXT)
    )


class DecisionForm(ServiceForm):
    form = forms.ChoiceField(label=_("Hình thức kỷ luật"), choices=Form.choices)
    body_code = code_field(_("Mã tổ chức có cơ quan quyết định"), pick="unit")
    organ = forms.ChoiceField(label=_("Cơ quan quyết định"), choices=Organ.choices)
    number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    signed_on = date_field(_("Ngày ký"))
    announced_on = date_field(_("Ngày công bố"))
    votes_for = forms.IntegerField(label=_("Số phiếu tán thành"), required=False, min_value=0)
    voters = forms.IntegerField(label=_("Số người biểu quyết"), required=False, min_value=0)
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs=TEXT))
    field_aliases = {"body": "body_code", "subject": "form", "case": "form"}


class SuspensionForm(ServiceForm):
    ground = forms.ChoiceField(label=_("Căn cứ"), choices=SuspensionGround.choices)
    body_code = code_field(_("Mã tổ chức có cơ quan quyết định"), pick="unit")
    organ = forms.ChoiceField(
        label=_("Cơ quan quyết định"), choices=[c for c in Organ.choices if c[0] != Organ.CELL]
    )
    number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    signed_on = date_field(_("Ngày ký"))
    start = date_field(_("Đình chỉ từ ngày"))
    last_day = date_field(
        _("Đến hết ngày"), required=False, help_text=_("Để trống: 90 ngày kể từ ngày bắt đầu.")
    )
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs=TEXT))
    field_aliases = {"body": "body_code", "case": "ground"}


class SuspensionExtendForm(ServiceForm):
    extended_on = date_field(_("Ngày quyết định gia hạn"))
    last_day = date_field(_("Gia hạn đến hết ngày"))
    number = forms.CharField(label=_("Số quyết định gia hạn"), required=False, max_length=64)


class SuspensionLiftForm(ServiceForm):
    lifted_on = date_field(_("Trở lại sinh hoạt từ ngày"))
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs=TEXT))


class AppealForm(ServiceForm):
    filed_on = date_field(_("Ngày nhận đơn"))
    complainant = forms.CharField(label=_("Người khiếu nại"), max_length=255)
    body_code = code_field(_("Mã tổ chức có cơ quan giải quyết"), pick="unit")
    content = forms.CharField(
        label=_("Nội dung khiếu nại"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    field_aliases = {"body": "body_code", "decision": "filed_on"}


class AppealDecisionForm(ServiceForm):
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.choices)
    new_form = forms.ChoiceField(
        label=_("Hình thức mới (khi thay đổi)"), choices=[("", "—"), *Form.choices], required=False
    )
    decided_on = date_field(_("Ngày giải quyết"))
    number = forms.CharField(label=_("Số quyết định giải quyết"), required=False, max_length=64)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs=TEXT))


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Tên tài liệu"), max_length=255)
    file = forms.FileField(label=_("Tệp (PDF, PNG, JPEG)"))


class ProgrammeForm(ServiceForm):
    organ = forms.ChoiceField(
        label=_("Cơ quan ban hành"), choices=[c for c in Organ.choices if c[0] != Organ.CELL]
    )
    year = forms.IntegerField(label=_("Năm"), min_value=1930, max_value=2100)
    adopted_on = date_field(_("Ngày ban hành"))
    number = forms.CharField(label=_("Số chương trình"), required=False, max_length=64)


class ProgrammeItemForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=CaseKind.choices)
    subject = forms.CharField(label=_("Nội dung kiểm tra, giám sát"), max_length=255)
    document_symbol = forms.CharField(
        label=_("Số, ký hiệu văn bản được kiểm tra, giám sát việc thực hiện"), required=False,
        max_length=40, help_text=_("Ví dụ 22-NQ/TW (văn bản đã có trong sổ văn bản)."),
    )  # fmt: skip
    target_unit_code = code_field(_("Tổ chức đảng là đối tượng"), required=False, pick="unit")
    target_member_number = forms.CharField(
        label=_("hoặc số lý lịch đảng viên là đối tượng"), required=False, max_length=16
    )
    start = date_field(_("Từ ngày"))
    end = date_field(_("Đến ngày"))
    team = forms.CharField(label=_("Đoàn, tổ"), required=False, widget=forms.Textarea(attrs=TEXT))
    field_aliases = {"target": "target_unit_code", "subject_unit": "target_unit_code",
                     "document": "document_symbol", "subject_member_number": "target_member_number"}  # fmt: skip
