"""`Cache-Control: no-store` on every response of the app (issue 20 §20).

Every page, export and JSON answer may hold personal data of party members, and a browser's
disk cache or a shared proxy would keep a copy after logout. So nothing the app renders may be
stored: one middleware for all views, rather than a decorator each new view could forget.
Static assets (CSS, JS) are not personal and are served by the proxy in production; in
development they pass here too and stay cacheable.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)
        return response
