"""Vietnamese first: the interface is Vietnamese unless the user chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an official on an English
Windows would get English pages. Here only an explicit choice (the language cookie set by
Django's `set_language` view) switches the language.
"""

from django.conf import settings
from django.utils import translation


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
