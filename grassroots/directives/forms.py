"""Forms of the register's pages: they parse input; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.development.forms import ServiceForm, date_field

from .kinds import ACTION_CHOICES, AUDIENCE_CHOICES, KIND_CHOICES, LEVEL_CHOICES

BLANK = [("", "—")]


class RegisterForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=KIND_CHOICES)
    symbol = forms.CharField(label=_("Số và ký hiệu (ví dụ 15-CTr/HU)"), max_length=40)
    date = date_field(_("Ngày ban hành"))
    title = forms.CharField(label=_("Trích yếu"), max_length=500)
    summary = forms.CharField(label=_("Tóm tắt"), required=False, widget=forms.Textarea)
    parent = forms.CharField(
        label=_("Thực hiện / sơ kết văn bản (số và ký hiệu)"), required=False, max_length=40
    )
    level = forms.ChoiceField(label=_("Yêu cầu cấp dưới: cấp"), choices=BLANK + LEVEL_CHOICES,
                              required=False)  # fmt: skip
    action = forms.ChoiceField(label=_("Việc phải làm"), choices=BLANK + ACTION_CHOICES,
                               required=False)  # fmt: skip
    audience = forms.ChoiceField(label=_("Đối tượng học tập"), choices=BLANK + AUDIENCE_CHOICES,
                                 required=False)  # fmt: skip
    doc_kind = forms.ChoiceField(label=_("Loại văn bản phải ban hành / báo cáo"),
                                 choices=BLANK + KIND_CHOICES, required=False)  # fmt: skip
    deadline = date_field(_("Thời hạn"), required=False)


class StudyForm(ServiceForm):
    unit_code = forms.CharField(label=_("Mã tổ chức học tập"), max_length=32)
    date = date_field(_("Ngày học tập"))
    audience = forms.ChoiceField(label=_("Đối tượng"), choices=AUDIENCE_CHOICES)
    meeting = forms.IntegerField(label=_("Mã buổi sinh hoạt học tập (sổ sinh hoạt)"),
                                 required=False)  # fmt: skip
    expected = forms.IntegerField(label=_("Số phải học (cấp ủy, cán bộ)"), required=False)
    attended = forms.IntegerField(label=_("Số đã học (cấp ủy, cán bộ)"), required=False)
    field_aliases = {"unit": "unit_code"}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp (PDF, DOCX, ảnh)"))
