"""`Authorization: Bearer grt_…`: the token acts as its account (scope and role), nothing more."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from grassroots.core.request import client_address
from grassroots.ops.router import recently_wrote, use_primary

from . import queries, services


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = queries.token_for_key(key.strip())
        if token is None:
            raise AuthenticationFailed("Khóa API không đúng, đã hết hạn hoặc đã bị thu hồi.")
        services.token_use(
            token=token,
            method=request.method,
            path=request.get_full_path(),
            address=client_address(request._request),
        )
        request._request.api_token_id = token.pk  # for the request log line
        if recently_wrote(token.user):  # read-your-writes for API clients too
            use_primary()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="grassroots"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "grt_… (trang Khóa API)"}
