"""API shapes both apps send, next to the builders in common/ that fill them."""
from __future__ import annotations

from rest_framework import serializers


class NavigationOut(serializers.Serializer):
    """Links that open a point in a map app (common.maps.navigation_links)."""

    amap = serializers.CharField()
    baidu = serializers.CharField()
    apple = serializers.CharField()
    geo = serializers.CharField()
