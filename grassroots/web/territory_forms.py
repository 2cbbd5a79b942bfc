"""Forms for villages and population. They only parse input; territory.services checks the rules
and its messages come back next to the field they name (`ServiceForm.apply_service_errors`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.territory.models import CellArrangement, VillageKind

from .forms import ServiceForm, code_field, date_field


class ArrangementForm(ServiceForm):
    arrangement = forms.ChoiceField(label=_("Tình trạng chi bộ"), choices=CellArrangement.choices)
    cell_code = code_field(
        _("Mã chi bộ"),
        required=False,
        help_text=_(
            "Chi bộ của thôn, hoặc chi bộ của thôn khác mà đảng viên sinh hoạt ghép. "
            "Để trống khi thôn chưa có chi bộ."
        ),
    )
    date = date_field(_("Từ ngày"))
    field_aliases = {"cell": "cell_code"}
    field_order = ["arrangement", "cell_code", "date"]


class VillageCreateForm(ArrangementForm):
    code = forms.CharField(label=_("Mã thôn, bản, tổ dân phố"), max_length=32)
    name = forms.CharField(label=_("Tên"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại"), choices=VillageKind.choices)
    field_order = ["code", "name", "kind", "arrangement", "cell_code", "date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("Có trong sổ từ ngày")


class GroupedIntegerField(forms.IntegerField):
    """Accepts 22.471 as people write it in Vietnamese (dots group the thousands)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(".", "").replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)


class PopulationForm(ServiceForm):
    year = forms.IntegerField(label=_("Năm"))  # range: core/limits.py, checked by the service
    population = GroupedIntegerField(
        label=_("Dân số"),
        help_text=_("Số người; ghi lại một năm đã có để sửa số liệu của năm đó."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
