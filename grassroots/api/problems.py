"""Errors as RFC 9457 problem details (`application/problem+json`), in Vietnamese."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    406: "Không trả được định dạng yêu cầu",
    415: "Định dạng dữ liệu không được hỗ trợ",
    422: "Dữ liệu không hợp lệ",
    429: "Quá nhiều yêu cầu",
}


def _detail(exc, response) -> str:
    if isinstance(exc, exceptions.NotAuthenticated):
        return "Cần khóa API: gửi tiêu đề Authorization: Bearer grt_…"
    if isinstance(exc, exceptions.AuthenticationFailed):
        return str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        return "Tài khoản của khóa này không có quyền thực hiện thao tác này."
    if isinstance(exc, exceptions.NotFound | Http404):
        return "Không có đối tượng này trong phạm vi của tài khoản."
    if isinstance(exc, exceptions.Throttled):
        return f"Khóa này đã gửi quá nhiều yêu cầu; thử lại sau {exc.wait or 1:.0f} giây."
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "Phương thức này không dùng được ở địa chỉ này."
    if isinstance(exc, exceptions.ParseError):
        return "Không đọc được nội dung gửi lên (JSON)."
    if isinstance(exc, exceptions.ValidationError | DjangoValidationError):
        return "Dữ liệu gửi lên không hợp lệ; xem từng trường trong errors."
    return TITLES.get(response.status_code, "Lỗi")


def _errors(exc) -> dict | list | None:
    if isinstance(exc, exceptions.ValidationError):
        return exc.detail
    if isinstance(exc, DjangoValidationError):
        return (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return None


def problem_details(exc, context):
    if isinstance(exc, DjangoValidationError):  # a service refused the write
        response = Response(status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    else:
        response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handling and logging
    if isinstance(exc, exceptions.ValidationError):
        response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    request = context["request"]
    body = {
        "type": "about:blank",
        "title": TITLES.get(response.status_code, "Lỗi"),
        "status": response.status_code,
        "detail": _detail(exc, response),
        "instance": request.path,
    }
    errors = _errors(exc)
    if errors is not None:
        body["errors"] = errors
    response.data = body
    response.content_type = "application/problem+json"
    return response
