"""The field-record endpoints are in the OpenAPI schema, with Idempotency-Key, and without schema warnings."""
from __future__ import annotations

import pytest

RECORD_NAMES = ("QuickClearance", "Rescue", "RecordPhoto", "Party", "FoundJob", "DeskJob", "JobDesk", "Timeline",
                "Checklist", "UnfinishedRecord", "records", "Record")


@pytest.mark.django_db
def test_schema_has_the_record_endpoints_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/jobs/found/": ["post"],
        "/api/v1/jobs/{job_id}/quick-clearance/": ["get", "put", "patch"],
        "/api/v1/jobs/{job_id}/quick-clearance/photos/": ["post"],
        "/api/v1/jobs/{job_id}/rescue/": ["get", "put", "patch"],
        "/api/v1/jobs/{job_id}/rescue/photos/": ["post"],
        "/api/v1/record-photos/{photo_id}/{variant}/": ["get"],
        "/api/v1/me/records/": ["get"],
    }.items():
        assert path in paths, path
        for method in methods:
            operation = paths[path][method]
            if method != "get":
                assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), (path, method)
    assert "multipart/form-data" in paths["/api/v1/jobs/{job_id}/quick-clearance/photos/"]["post"]["requestBody"]["content"]
    components = schema["components"]["schemas"]
    assert {"QuickClearanceOut", "RescueOut", "RecordPhotoOut", "JobDeskOut", "TimelineStepOut"} <= set(components)
    warnings = [w for w in GENERATOR_STATS._warn_cache if any(name in w for name in RECORD_NAMES)]
    assert warnings == []
