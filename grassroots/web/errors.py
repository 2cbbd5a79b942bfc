"""Error pages in Vietnamese with a way back (issue 11: with DEBUG off every error page was
Django's bare English one). Wired as handler400/403/404/500 in grassroots/urls.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _detail(exception) -> str:
    """The reason the code gave (our services raise Vietnamese sentences); none for Django's own
    (a resolver's dict, a class name)."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and " " in message else ""


def _back(request) -> str:
    """The page the person came from, when it is one of ours (never an outside address)."""
    referer = request.META.get("HTTP_REFERER", "")
    parts = urlsplit(referer)
    if referer and parts.netloc == request.get_host() and parts.path != request.path:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return ""


def _page(request, status: int, title: str, text: str, exception=None) -> HttpResponse:
    context = {
        "status": status,
        "title": title,
        "text": text,
        "detail": _detail(exception),
        "back": _back(request),
    }
    body = loader.render_to_string("web/error.html", context, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _page(
        request,
        400,
        _("Yêu cầu không hợp lệ"),
        _("Máy chủ không xử lý được yêu cầu này. Hãy quay lại và thử lại."),
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("Không có quyền thực hiện"),
        _("Tài khoản của bạn không được phép thực hiện thao tác này."),
        exception,
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("Không tìm thấy trang"),
        _("Trang hoặc dữ liệu này không tồn tại, hoặc nằm ngoài phạm vi của tài khoản."),
        exception,
    )


@requires_csrf_token
def server_error(request):
    # No database, session or request context: the error may be theirs (Django's own rule).
    body = loader.render_to_string("web/error_500.html")
    return HttpResponse(body, status=500)


def csrf_failure(request, reason: str = ""):
    """Settings' CSRF_FAILURE_VIEW: a form sent after the session expired, or from elsewhere."""
    return _page(
        request,
        403,
        _("Biểu mẫu đã hết hạn"),
        _(
            "Phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ. Hãy tải lại trang, nhập lại và gửi lần nữa."
        ),
    )
