"""One error envelope for the whole API: {"detail", "code", "fields"?}.

Installed as DRF's EXCEPTION_HANDLER, so every view under /api/v1/ answers
errors the same way, and nothing a service raises becomes a 500.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.serializers import ListSerializer, Serializer
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import DomainError


def first_message(errors: Any, labels: Mapping[str, str] | None = None) -> str:
    """The first message of a nested DRF error structure, after the label of its field.

    People read it (the phone's outbox keeps it as the reason a report was refused), so a
    field is named by its label in the active language where one is known, else by its key.
    """
    if isinstance(errors, dict):
        for name, value in errors.items():
            message = first_message(value)
            if name in ("non_field_errors", "detail"):
                return message
            field = (labels or {}).get(name) or name
            return _("%(field)s: %(message)s") % {"field": field, "message": message}
    if isinstance(errors, list) and errors:
        return first_message(errors[0])
    return str(errors)


def _labels(exc: exceptions.ValidationError, view: Any) -> dict[str, str]:
    """The labels of the fields of the serializer that refused the input, by field name.

    DRF keeps the serializer on the errors of is_valid(raise_exception=True), so the views that
    build their serializer themselves (FieldApi.valid, the stations API) are covered; a generic
    view's own serializer is the fallback. Without either, the detail names the field by its key.
    """
    serializer = getattr(exc.detail, "serializer", None)
    try:
        if serializer is None and isinstance(view, GenericAPIView):
            serializer = view.get_serializer()
        if isinstance(serializer, ListSerializer):
            serializer = serializer.child
        if not isinstance(serializer, Serializer):
            return {}
        return {name: str(field.label) for name, field in serializer.fields.items() if field.label}
    except Exception:
        # A view without a serializer class, or one that cannot build it here, loses
        # the labels and keeps the keys: the answer is still the 400.
        return {}


def _messages(errors: Any, prefix: str = "") -> list[str]:
    """Every message of a nested error structure, each prefixed by where it was."""
    if isinstance(errors, dict):
        return [message for name, value in errors.items() for message in _messages(value, f"{prefix}{name}: ")]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value, prefix)]
    return [f"{prefix}{errors}"]


def _invalid(fields: Any, labels: Mapping[str, str] | None = None) -> Response:
    if not isinstance(fields, dict):
        fields = {"non_field_errors": fields}
    # The envelope promises a list of messages per field: the errors of a list's
    # items ({"officers": {0: [...]}}) or of a nested object are flattened into it.
    fields = {name: _messages(value) for name, value in fields.items()}
    return Response(
        {"detail": first_message(fields, labels), "code": "invalid", "fields": fields}, status=status.HTTP_400_BAD_REQUEST
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Django's own 404 and 403 (a bad ?format=, get_object_or_404) get the envelope too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.fields:
            body["fields"] = exc.fields
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return _invalid(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, exceptions.ValidationError):
        return _invalid(exc.detail, _labels(exc, context.get("view")))
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        # DRF's words are not translated and quote the parser: say it plainly.
        exc = exceptions.ParseError(_("The request body is not valid JSON."))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else "error"}
    return response
