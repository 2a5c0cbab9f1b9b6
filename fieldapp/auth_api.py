from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import InvalidInput
from common.tokens import token_expires_at, token_for_user
from fieldapp.serializers import ErrorOut


class AuthTokenApi(ObtainAuthToken):
    """Exchange a username and password for an API token (`Authorization: Token …`).

    Repeated failures lock the account and the address out for a while
    (django-axes, settings AXES_*): the answer is then 429 `locked_out` with
    Retry-After. A token lasts API_TOKEN_LIFETIME_DAYS; after that this
    endpoint gives a new one.
    """

    # Logging in needs no credentials of its own; an expired token in the header must not stop it.
    authentication_classes: list = []

    @extend_schema(
        operation_id="auth_token",
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}),
            400: OpenApiResponse(ErrorOut, description="Wrong username or password (`invalid_credentials`)"),
            429: OpenApiResponse(ErrorOut, description="Locked out after repeated failures (`locked_out`); Retry-After says for how long"),
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        # Django's own request: django-axes marks it when the login is locked out,
        # and its middleware turns the answer into the 429.
        serializer = self.serializer_class(data=request.data, context={"request": request._request, "view": self})
        if not serializer.is_valid():
            errors = serializer.errors
            if set(errors) == {"non_field_errors"}:
                raise InvalidInput(str(errors["non_field_errors"][0]), code="invalid_credentials")
            raise serializers.ValidationError(errors)
        token = token_for_user(serializer.validated_data["user"])
        return Response({"token": token.key, "expires": token_expires_at(token)})


class AuthTokenRevokeApi(APIView):
    """Revoke the caller's API token: it stops working at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_token_revoke", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
