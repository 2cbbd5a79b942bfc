"""Forms of the pipeline's pages. They only parse input; the services check the rules and their
messages are put back next to the field they name."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from . import config
from .models import Candidate, IntroducedBy, ProposalSource, StepKind
from .services import PROFILE_FIELDS

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def date_field(label, required=True) -> forms.DateField:
    widget = forms.DateInput(
        attrs={"placeholder": "dd/mm/yyyy", "class": "date"}, format="%d/%m/%Y"
    )
    return forms.DateField(
        label=label, required=required, input_formats=DATE_INPUT_FORMATS, widget=widget
    )


class ServiceForm(forms.Form):
    required_css_class = "required"
    field_aliases: dict[str, str] = {}

    def apply_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            name = self.field_aliases.get(key, key)
            self.add_error(name if name in self.fields else None, errors)


class ProposeForm(ServiceForm):
    proposed_on = date_field(_("Ngày chi bộ đưa vào danh sách"))
    source = forms.ChoiceField(label=_("Nguồn giới thiệu"), choices=ProposalSource.choices)
    helper_number = forms.CharField(
        label=_("Số lý lịch đảng viên giúp đỡ"), required=False, max_length=16
    )
    field_aliases = {"helper": "helper_number", "cell": "proposed_on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Candidate, fields=PROFILE_FIELDS))
        self.fields["birth_date"] = date_field(_("Ngày sinh"))
        self.order_fields(PROFILE_FIELDS + ["proposed_on", "source", "helper_number"])


PASSED = [("1", _("Đạt")), ("0", _("Không đạt"))]

# Which inputs each step's form takes.
STEP_INPUTS: dict[str, tuple[str, ...]] = {
    StepKind.CERTIFICATE: ("date", "course", "issuing_body", "document_number"),
    StepKind.APPLICATION: ("date",),
    StepKind.BACKGROUND: ("date",),
    StepKind.INTRODUCTION: (
        "date",
        "introduced_by",
        "introducer_1",
        "introducer_2",
        "document_number",
    ),  # fmt: skip
    StepKind.VERIFICATION: ("date", "passed", "note"),
    StepKind.CELL_VOTE: ("date", "votes_for", "note"),
    StepKind.UPPER_RULING: ("date", "passed", "document_number", "issuing_body"),
    StepKind.GRASSROOTS_PROPOSAL: ("date", "document_number"),
    StepKind.DECISION: ("date", "document_number", "issuing_body"),
    StepKind.CEREMONY: ("date", "upper_approval", "profile_number"),
    StepKind.RECOGNITION: ("date", "document_number", "issuing_body"),
    StepKind.MOVED: ("date", "unit_code"),
    StepKind.CLOSED: ("date", "reason"),
}


class StepForm(ServiceForm):
    date = date_field(_("Ngày"))
    course = forms.CharField(label=_("Khóa học"), required=False, max_length=255)
    issuing_body = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=255)
    document_number = forms.CharField(label=_("Số văn bản"), required=False, max_length=64)
    introduced_by = forms.ChoiceField(label=_("Giới thiệu bởi"), choices=IntroducedBy.choices)
    introducer_1 = forms.CharField(
        label=_("Số lý lịch người giới thiệu thứ nhất"), required=False, max_length=16
    )
    introducer_2 = forms.CharField(
        label=_("Số lý lịch người giới thiệu thứ hai"), required=False, max_length=16
    )
    passed = forms.TypedChoiceField(label=_("Kết quả"), choices=PASSED, coerce=lambda v: v == "1")
    votes_for = forms.IntegerField(label=_("Số đảng viên chính thức tán thành"), min_value=0)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    upper_approval = forms.CharField(
        label=_("Văn bản đồng ý của cấp ủy cấp trên (nếu quá hạn)"), required=False, max_length=255
    )
    profile_number = forms.CharField(label=_("Số lý lịch đảng viên"), required=False, max_length=16)
    unit_code = forms.CharField(label=_("Mã chi bộ mới"), max_length=32)
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))
    field_aliases = {"to_unit": "unit_code"}

    def __init__(self, kind: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep = STEP_INPUTS[kind]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class UploadForm(ServiceForm):
    title = forms.CharField(label=_("Tên tài liệu"), max_length=255)
    file = forms.FileField(label=_("Bản quét (PDF, PNG, JPEG)"))


class RuleSetForm(ServiceForm):
    """A new version of the admission rules from a date (values prefilled from the latest)."""

    effective = date_field(_("Áp dụng từ ngày"))
    name = forms.CharField(label=_("Văn bản quy định"), max_length=255)
    source = forms.CharField(label=_("Căn cứ"), max_length=255, required=False)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the bounds are the service's to check (rulesets._check_values), with its message
        for key, (label, unit, _lo, _hi) in config.LABELS.items():
            self.fields[key] = forms.IntegerField(label=f"{label} ({unit})" if unit else label)
        self.fields["unconfirmed"] = forms.MultipleChoiceField(
            label=_("Giá trị chưa được xác minh"),
            required=False,
            choices=[(k, v[0]) for k, v in config.LABELS.items()],
            widget=forms.CheckboxSelectMultiple,
        )


class HolidayForm(ServiceForm):
    date = date_field(_("Ngày nghỉ lễ"))
    name = forms.CharField(label=_("Tên ngày lễ"), max_length=128)
