"""A station described in schema.org JSON-LD, for search engines and assistants."""
from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from stations import hours
from stations.display import amenity_items
from stations.selectors import StationDetail


def station_json_ld(*, detail: StationDetail, page_url: str, image_urls: list[str]) -> str:
    """schema.org for search engines and assistants; the hours of each coming day are
    given with their date, so holidays and make-up workdays come out right."""
    station = detail.station
    specs: list[dict[str, Any]] = []
    for day in detail.week:
        weekday = f"https://schema.org/{day.date.strftime('%A')}"
        open_intervals = [item for item in day.intervals if item.get("state") == hours.OPEN]
        if not open_intervals:
            specs.append({"@type": "OpeningHoursSpecification", "dayOfWeek": weekday, "opens": "00:00", "closes": "00:00",
                          "validFrom": day.date.isoformat(), "validThrough": day.date.isoformat()})
        for item in open_intervals:
            specs.append({"@type": "OpeningHoursSpecification", "dayOfWeek": weekday, "opens": item["start"],
                          "closes": item["end"], "validFrom": day.date.isoformat(), "validThrough": day.date.isoformat()})
    city = settings.LUCHANG_CITY
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CivicStructure",
        "name": station.name,
        "url": page_url,
        "description": station.description or None,
        "telephone": station.phone or None,
        "isAccessibleForFree": True,
        "publicAccess": True,
        "address": {"@type": "PostalAddress", "streetAddress": station.address,
                    "addressLocality": city["locality"], "addressRegion": city["region"], "addressCountry": city["country"]},
        "geo": {"@type": "GeoCoordinates", "latitude": round(station.lat, 6), "longitude": round(station.lng, 6)},
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": item["label"], "value": True} for item in amenity_items(station.amenities)
        ],
        "openingHoursSpecification": specs,
        "image": image_urls or None,
    }
    data = {key: value for key, value in data.items() if value is not None}
    # Escape "<" so no text can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
