"""Middleware of our own: the chosen language, and the idle session deadline.

Vietnamese first: the interface is Vietnamese unless the user chose English. Django's
LocaleMiddleware follows the browser's Accept-Language, so an official on an English Windows
would get English pages. Here only an explicit choice (the language cookie set by Django's
`set_language` view) switches the language.
"""

import time

from django.conf import settings
from django.utils import translation

# How often activity pushes a session's idle deadline (SESSION_COOKIE_AGE from now). Django's
# SESSION_SAVE_EVERY_REQUEST writes the session row on every request: one write transaction per
# page view, which on SQLite queues every reader's request behind the writers (issue 19's load
# run). Pushed once a minute, the 30-minute idle expiry ends between 29 and 30 minutes idle.
SESSION_TOUCH_SECONDS = 60


def touch_on_login(sender, request, user, **kwargs) -> None:
    """Logging in is activity: the session saved by the login already holds a fresh deadline,
    so the first pages after it write nothing more (connected in core.apps)."""
    if request is not None and hasattr(request, "session"):
        request.session["_touched"] = int(time.time())


class SessionTouchMiddleware:
    """Keeps idle expiry (issue 20) without a write per request: after the view, a session whose
    last push is older than SESSION_TOUCH_SECONDS is marked modified, so SessionMiddleware saves
    it with a fresh deadline. Listed after SessionMiddleware (its response runs first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # no session (API token, anonymous, logged out): nothing to push
        now = int(time.time())
        if now - session.get("_touched", 0) >= SESSION_TOUCH_SECONDS:
            session["_touched"] = now
        return response


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.allowed else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
