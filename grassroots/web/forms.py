"""Forms of the web UI. They only parse input; the services validate the rules and their
ValidationError messages are put back next to the field they name (`apply_service_errors`)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from grassroots.members import categories
from grassroots.members.models import DisciplineForm, EventKind, Member
from grassroots.members.services import PROFILE_FIELDS
from grassroots.organizations.models import GrassrootsType, Kind

from .picker import PickerInput

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def parse_day(value: str | None) -> dt.date | None:
    """dd/mm/yyyy or yyyy-mm-dd (links carry ISO dates, people type Vietnamese ones)."""
    value = (value or "").strip()
    for fmt in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class DateInput(forms.DateInput):
    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "class": "date", **(attrs or {})}, format="%d/%m/%Y"
        )


def date_field(label, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        **kwargs,
    )


def code_field(label, required=True, help_text="", pick: str = "") -> forms.CharField:
    """A code input; `pick` ("unit", "cell", "parent") makes it an existing organization's picker
    (web/picker.py), a plain code field without scripts."""
    widget = None
    if pick:
        widget = PickerInput("unit", "" if pick == "unit" else pick)
    return forms.CharField(
        label=label, required=required, max_length=32, help_text=help_text, widget=widget
    )


class ServiceForm(forms.Form):
    """A form whose errors can come back from a service after `is_valid()`.

    `field_aliases` maps the service's error keys (e.g. "unit") to this form's fields
    (e.g. "unit_code"); keys naming no field of the form become errors at the top.
    """

    field_aliases: dict[str, str] = {}
    required_css_class = "required"

    def apply_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            name = self.field_aliases.get(key, key)
            if name in self.fields:
                self.add_error(name, errors)
            else:
                self.add_error(None, errors)


class DecisionForm(ServiceForm):
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    decision_date = date_field(_("Ngày quyết định"), required=False)
    issuing_body = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- organization changes (role approver) ---------------------------------------------------


class UnitEstablishForm(DecisionForm):
    code = forms.CharField(label=_("Mã tổ chức"), max_length=32)
    name = forms.CharField(label=_("Tên tổ chức"), max_length=255)
    kind = forms.ChoiceField(label=_("Cấp tổ chức"), choices=Kind.choices)
    grassroots_type = forms.ChoiceField(
        label=_("Loại hình"), choices=[("", "—")] + GrassrootsType.choices, required=False
    )
    date = date_field(_("Ngày thành lập"))
    field_order = ["code", "name", "kind", "grassroots_type", "date"]


class UnitRenameForm(DecisionForm):
    name = forms.CharField(label=_("Tên mới"), max_length=255)
    date = date_field(_("Ngày hiệu lực"))
    field_order = ["name", "date"]


class UnitMoveForm(DecisionForm):
    parent_code = code_field(
        _("Tổ chức cấp trên mới"), help_text=_("Gõ tên hoặc mã để chọn."), pick="parent"
    )
    date = date_field(_("Ngày hiệu lực"))
    field_aliases = {"parent": "parent_code"}
    field_order = ["parent_code", "date"]


class UnitChangeKindForm(DecisionForm):
    kind = forms.ChoiceField(label=_("Cấp tổ chức mới"), choices=Kind.choices)
    date = date_field(_("Ngày hiệu lực"))
    new_cell_code = code_field(
        _("Mã chi bộ trực thuộc mới"),
        required=False,
        help_text=_(
            "Khi tổ chức đang có đảng viên sinh hoạt trực tiếp: đảng viên được chuyển sang chi bộ này."
        ),
    )
    new_cell_name = forms.CharField(
        label=_("Tên chi bộ trực thuộc mới"), required=False, max_length=255
    )
    field_order = ["kind", "date", "new_cell_code", "new_cell_name"]


class UnitMergeForm(DecisionForm):
    target_code = code_field(
        _("Sáp nhập vào tổ chức"), help_text=_("Gõ tên hoặc mã để chọn."), pick="unit"
    )
    date = date_field(_("Ngày hiệu lực"))
    field_aliases = {"target": "target_code", "sources": "target_code"}
    field_order = ["target_code", "date"]


class UnitSplitForm(DecisionForm):
    parts = forms.CharField(
        label=_("Các tổ chức mới"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Mỗi dòng một tổ chức: mã; tên. Đảng viên và tổ chức trực thuộc chuyển sang tổ chức đầu tiên."
        ),
    )
    date = date_field(_("Ngày hiệu lực"))
    field_aliases = {"assign": "parts"}
    field_order = ["parts", "date"]

    def clean_parts(self) -> list[tuple[str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["parts"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, name = line.partition(";")
            if not sep or not code.strip() or not name.strip():
                raise ValidationError(_("Dòng %(n)s: cần ghi “mã; tên”.") % {"n": number})
            rows.append((code.strip(), name.strip()))
        return rows


class UnitDissolveForm(DecisionForm):
    date = date_field(_("Ngày giải thể"))
    field_order = ["date"]


# --- members (role clerk) ---------------------------------------------------------------------


class CodedListInput(forms.TextInput):
    """A text input offering the statistics' coded list of its field (issue 18: category fields
    become coded lists) as a `<datalist>`: the clerk picks a category's name, or types the
    longer form the profile keeps ("Đại học Y"); a value outside every list is still saved and
    counted as "Chưa phân loại" (members/categories.py), never dropped."""

    def __init__(self, field: str, attrs=None):
        self.coded_field = field
        super().__init__({"list": f"list-{field}", "autocomplete": "off", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        options = format_html_join(
            "",
            '<option value="{}">',
            ((c.label,) for c in categories.categories(self.coded_field) if c.code != "none"),
        )
        return super().render(name, value, attrs, renderer) + format_html(
            '<datalist id="list-{}">{}</datalist>', self.coded_field, options
        )


class ProfileForm(ServiceForm):
    """The profile fields of the model, rendered as a plain form: the service does the saving."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Member, fields=PROFILE_FIELDS))
        self.fields["birth_date"] = date_field(_("Ngày sinh"))
        for name in categories.FIELDS:
            if name in self.fields:
                self.fields[name].widget = CodedListInput(name)
                self.fields[name].help_text = _(
                    "Chọn trong danh mục thống kê hoặc gõ đầy đủ (ví dụ “Đại học Y”); giá trị "
                    "ngoài danh mục được thống kê vào “Chưa phân loại”."
                )
        self.order_fields(PROFILE_FIELDS)


class ProfileEditForm(ProfileForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Lý do thay đổi"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(PROFILE_FIELDS + ["reason", "expected_version"])


def confirm_future_field():
    return forms.BooleanField(
        label=_("Xác nhận ngày trong tương lai"),
        required=False,
        help_text=_(
            "Chỉ đánh dấu khi ngày hiệu lực còn xa trong tương lai và đúng như quyết định "
            "(sự kiện chưa có hiệu lực đến ngày đó)."
        ),
    )


class AdmitForm(ProfileForm):
    ceremony_date = date_field(_("Ngày lễ kết nạp (ngày vào Đảng)"))
    decision_date = date_field(_("Ngày quyết định kết nạp"))
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    issuing_body = forms.CharField(label=_("Cơ quan quyết định"), required=False, max_length=255)
    confirm_future = confirm_future_field()
    field_aliases = {"date": "ceremony_date"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(
            PROFILE_FIELDS
            + ["ceremony_date", "confirm_future", "decision_date", "decision_number"]
            + ["issuing_body"]
        )


# Which inputs each event takes (issue 2 point 3). `unit_code` is the cell the event points to.
EVENT_INPUTS: dict[str, tuple[str, ...]] = {
    EventKind.OFFICIAL: ("date", "decision_number", "decision_date", "issuing_body", "note"),
    EventKind.TRANSFER: (
        "date",
        "unit_code",
        "decision_number",
        "decision_date",
        "issuing_body",
        "note",
    ),
    EventKind.TEMP_ATTACH: ("date", "unit_code", "place", "note"),
    EventKind.TEMP_RETURN: ("date", "note"),
    EventKind.TRANSFER_IN: (
        "date",
        "unit_code",
        "place",
        "decision_number",
        "decision_date",
        "issuing_body",
        "note",
    ),
    EventKind.TRANSFER_OUT: (
        "date",
        "place",
        "decision_number",
        "decision_date",
        "issuing_body",
        "note",
    ),
    EventKind.EXEMPTION: ("date", "decision_number", "decision_date", "issuing_body", "note"),
    EventKind.EXEMPTION_END: ("date", "note"),
    EventKind.DISCIPLINE: (
        "date",
        "discipline_form",
        "decision_number",
        "decision_date",
        "issuing_body",
        "note",
    ),
    EventKind.READMISSION: (
        "date",
        "unit_code",
        "decision_number",
        "decision_date",
        "issuing_body",
        "note",
    ),
    EventKind.DEATH: ("date", "note"),
    EventKind.EXPULSION: ("date", "decision_number", "decision_date", "issuing_body", "note"),
    EventKind.REMOVAL: ("date", "decision_number", "decision_date", "issuing_body", "note"),
    EventKind.LEAVING: ("date", "decision_number", "decision_date", "issuing_body", "note"),
}
RECORDABLE_KINDS = [kind for kind in EventKind if kind in EVENT_INPUTS]


class EventForm(ServiceForm):
    date = date_field(_("Ngày hiệu lực"))
    confirm_future = confirm_future_field()
    unit_code = code_field(_("Chi bộ"), help_text=_("Gõ tên hoặc mã để chọn."), pick="cell")
    discipline_form = forms.ChoiceField(
        label=_("Hình thức kỷ luật"), choices=[("", "—")] + DisciplineForm.choices
    )
    place = forms.CharField(label=_("Nơi đi / nơi đến"), required=False, max_length=255)
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    decision_date = date_field(_("Ngày quyết định"), required=False)
    issuing_body = forms.CharField(label=_("Cơ quan quyết định"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    field_aliases = {"unit": "unit_code"}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(EVENT_INPUTS[kind]) | {"expected_version", "confirm_future"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind == EventKind.OFFICIAL:
            self.fields["date"].required = False
            self.fields["date"].help_text = _("Để trống: ngày hết 12 tháng dự bị.")
        if kind == EventKind.TEMP_ATTACH:
            self.fields["unit_code"].label = _("Chi bộ nơi sinh hoạt tạm thời")
        if kind == EventKind.TRANSFER:
            self.fields["unit_code"].label = _("Chi bộ chuyển đến")


class VoidEventForm(ServiceForm):
    reason = forms.CharField(label=_("Lý do hủy"), widget=forms.Textarea(attrs={"rows": 2}))


class CorrectEventForm(ServiceForm):
    date = date_field(_("Ngày hiệu lực"))
    confirm_future = confirm_future_field()
    unit_code = code_field(_("Chi bộ"), required=False, pick="cell")
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    decision_date = date_field(_("Ngày quyết định"), required=False)
    issuing_body = forms.CharField(label=_("Cơ quan quyết định"), required=False, max_length=255)
    place = forms.CharField(label=_("Nơi đi / nơi đến"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label=_("Lý do sửa"), widget=forms.Textarea(attrs={"rows": 2}))
    field_aliases = {"unit": "unit_code"}
