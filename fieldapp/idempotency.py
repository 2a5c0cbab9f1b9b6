"""Idempotency-Key for POSTs: a retry gets the first answer and changes nothing.

Phones on flaky networks retry. The first request with a key stores its
response (any status below 500) per user and key; a retry with the same path
and body gets that response again, a different body gets 422.

The record is inserted in the same transaction as the work. A concurrent
retry therefore blocks on the unique (user, key) index (PostgreSQL) or on the
write lock (SQLite, IMMEDIATE) until the first one commits, then replays it.
The insert is one INSERT ... ON CONFLICT DO NOTHING, which both databases know.

A body that does not parse is answered 400 before the key is looked at, and
nothing is stored: the client never meant that body (a flaky network cut it
short), so its retry with the whole body under the same key must be done.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from common.errors import DomainError
from fieldapp.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY = OpenApiParameter(
    name=HEADER,
    # What the server accepts: 1-255 characters once the spaces around are taken off.
    type={"type": "string", "pattern": r"^\s*(\S|\S.{0,253}\S)\s*$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Retry-safe key (1-255 chars): a retry with the same key and body replays the first response; "
    "the same key with another body gives 422.",
)


def _file_digest(upload: UploadedFile) -> dict[str, Any]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"file": upload.name, "size": upload.size, "sha256": digest.hexdigest()}


def _plain_body(body: Any) -> Any:
    """A multipart body as JSON-able values: each uploaded file by its name, size and content hash."""
    if isinstance(body, QueryDict):
        return {key: [_plain_body(value) for value in body.getlist(key)] for key in sorted(body.keys())}
    if isinstance(body, UploadedFile):
        return _file_digest(body)
    return body


def _fingerprint(request: Request) -> str:
    """The request as a hash; its body has been parsed already."""
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": _plain_body(request.data)}, sort_keys=True,
        cls=JSONEncoder,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(response: Response) -> str:
    return json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(json.loads(record.body) if record.body else None, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _error(detail: str, code: str, http_status: int) -> Response:
    return Response({"detail": detail, "code": code}, status=http_status)


def _claim(*, user_id: int, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Insert the key's record, or None when the key is taken: one statement.

    ON CONFLICT DO NOTHING waits, as the plain insert did, for a transaction
    that holds the same key to end; it needs no savepoint around it, where an
    insert that fails with IntegrityError needs one (three statements).
    """
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("user_id", "key", "fingerprint", "status_code", "body", "created_at") '
            f'VALUES (%s, %s, %s, 0, %s, %s) ON CONFLICT ("user_id", "key") DO NOTHING RETURNING "id"',
            [user_id, key, fingerprint, "", connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return IdempotencyRecord(id=row[0], user_id=user_id, key=key, fingerprint=fingerprint, created_at=now)


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an APIView's post(); authentication and permissions have run already."""

    @wraps(method)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return method(view, request, *args, **kwargs)
        # Parse first: a ParseError leaves this method for DRF's handler (400
        # parse_error). DRF would otherwise hand the view an empty body on the
        # next read of request.data, and {"on_duty": tru would mean "off duty".
        request.data  # noqa: B018
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error(_("The Idempotency-Key must be 1 to 255 characters."), "invalid", status.HTTP_400_BAD_REQUEST)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record = _claim(user_id=request.user.pk, key=key, fingerprint=fingerprint)
            if record is None:
                record = IdempotencyRecord.objects.get(user=request.user, key=key)
                if record.fingerprint != fingerprint:
                    return _error(
                        _("This Idempotency-Key was used for a different request."),
                        "idempotency_key_reused",
                        status.HTTP_422_UNPROCESSABLE_ENTITY,
                    )
                if record.status_code == 0:
                    return _error(
                        _("The first request with this Idempotency-Key is still running."),
                        "idempotency_in_progress",
                        status.HTTP_409_CONFLICT,
                    )
                return _replay(record)
            try:
                response = method(view, request, *args, **kwargs)
            except (DomainError, APIException) as exc:
                # The service rolled its own savepoint back; the refusal is the answer to keep.
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, body=_stored(response))
            return response

    return wrapped
