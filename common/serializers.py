"""API shapes both apps send, next to the builders in common/ that fill them."""
from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from rest_framework import serializers

# The time of a tap by the phone's clock, which many officer actions send.
DEVICE_TIME_LABEL = gettext_lazy("Time on the phone")


class CachedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that builds its fields from the model once per class, not once per instance.

    DRF looks every field up in the model each time a ModelSerializer is made; a
    job with its assignments makes dozens of them per answer and per push, and
    that lookup was half of a create's, a dispatch's and a step's server time
    (bench/bench_dispatch.py). The fields are built once, never bound, and each
    instance gets its own deep copy, as DRF gives it the declared fields. For
    serializers whose fields depend on neither the instance nor the context.

    They are built in the site's default language: DRF gives a field its model's
    (lazily translated) verbose name as its label only where that differs from
    the name, which it judges in the language active at the time. Built first
    for an English request, a Chinese error would have said "Name" for 名称.
    """

    def get_fields(self) -> dict[str, Any]:
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            with translation.override(settings.LANGUAGE_CODE):
                built = super().get_fields()
            type(self)._fields_built = built
        return copy.deepcopy(built)


def labels_from(model: type[models.Model], **labels: Any) -> Any:
    """Name a plain serializer's fields as people read them: `labels`, else the model's verbose name.

    An error's detail names the field by its label (common/api_errors.py) and the
    officer's phone shows it as the reason an item was refused; a plain
    Serializer's fields would otherwise be labelled from their names, in English.
    A field with a label of its own keeps it.
    """
    def decorate(serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
        for name, field in serializer._declared_fields.items():
            if field.label is not None:
                continue
            label = labels.get(name)
            if label is None:
                try:
                    label = capfirst(model._meta.get_field(name).verbose_name)
                except FieldDoesNotExist:
                    continue
            # DRF copies a declared field for each serializer by calling it again with its arguments.
            field.label = field._kwargs["label"] = label
        return serializer
    return decorate


class NavigationOut(serializers.Serializer):
    """Links that open a point in a map app (common.maps.navigation_links)."""

    amap = serializers.CharField()
    baidu = serializers.CharField()
    apple = serializers.CharField()
    geo = serializers.CharField()
