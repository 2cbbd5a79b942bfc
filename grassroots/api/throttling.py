"""Per-token rate limit: API_RATE_LIMIT requests per token (default 600/min), counted in a cache
shared by the server's processes (a file cache under GRASSROOTS_VAR_DIR)."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def __init__(self):
        self.cache = caches["shared"]
        super().__init__()

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None  # refused by authentication anyway
        return f"api-rate-{request.auth.pk}"
