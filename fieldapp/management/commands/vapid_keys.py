"""Make a VAPID key pair for Web Push and print the environment lines to set."""
from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid01


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Command(BaseCommand):
    help = "Print a new VAPID key pair as NOTIFY_VAPID_PRIVATE_KEY / NOTIFY_VAPID_PUBLIC_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        vapid = Vapid01()
        vapid.generate_keys()
        private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
        public = vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.stdout.write(f"NOTIFY_VAPID_PRIVATE_KEY={_b64url(private)}")
        self.stdout.write(f"NOTIFY_VAPID_PUBLIC_KEY={_b64url(public)}")
