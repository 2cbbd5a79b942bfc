"""The account's API token page: create (the key is shown once), list, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.audit.services import Actor
from grassroots.formats.vi.formats import DATE_INPUT_FORMATS

from . import queries, services


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên khóa"), max_length=100)
    expires_on = forms.DateField(
        label=_("Hết hạn ngày"), required=False, input_formats=DATE_INPUT_FORMATS
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.token_create(
                actor=Actor.from_request(request), **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "new_key": new_key, "tokens": queries.tokens_of(request.user)},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = queries.tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404(_("Không tìm thấy khóa."))
    try:
        services.token_revoke(actor=Actor.from_request(request), token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã thu hồi khóa “%(name)s”.") % {"name": token.name})
    return redirect("api:tokens")
