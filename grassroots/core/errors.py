"""The one error type services raise: a Vietnamese message, optionally tied to a field."""

from django.core.exceptions import ValidationError


def invalid(message: str, field: str | None = None, **params) -> ValidationError:
    text = message % params if params else message
    if field:
        return ValidationError({field: [text]})
    return ValidationError(text)
