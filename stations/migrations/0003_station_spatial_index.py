"""A 2-D index for the nearest search's box, with no server extension.

PostgreSQL: a GiST index on the built-in point(lng, lat), published stations only.
SQLite: an R*Tree of the published stations, kept in step with stations_station by
triggers; where this SQLite has no R*Tree module, nothing is made and the search
keeps to the lat/lng B-trees (stations/selectors.py asks whether the table is there).

Django remakes a SQLite table for most changes of its columns, and dropping the old
table drops these triggers: a later migration that alters stations_station must make
them again (SQLITE_TRIGGERS below); the tests in tests/test_stations_nearest.py that
create, move, unpublish and delete stations fail until it does.
"""
from django.db import migrations

SQLITE_RTREE = [
    # R*Tree coordinates are 32-bit floats, rounded outward: each box holds its point.
    "CREATE VIRTUAL TABLE stations_station_rtree USING rtree(id, min_lat, max_lat, min_lng, max_lng)",
    "INSERT INTO stations_station_rtree SELECT id, lat, lat, lng, lng FROM stations_station WHERE published",
]
SQLITE_TRIGGERS = [
    """CREATE TRIGGER stations_station_rtree_insert AFTER INSERT ON stations_station WHEN new.published
    BEGIN
        INSERT INTO stations_station_rtree VALUES (new.id, new.lat, new.lat, new.lng, new.lng);
    END""",
    """CREATE TRIGGER stations_station_rtree_update AFTER UPDATE OF id, lat, lng, published ON stations_station
    BEGIN
        DELETE FROM stations_station_rtree WHERE id = old.id;
        INSERT INTO stations_station_rtree SELECT new.id, new.lat, new.lat, new.lng, new.lng WHERE new.published;
    END""",
    """CREATE TRIGGER stations_station_rtree_delete AFTER DELETE ON stations_station
    BEGIN
        DELETE FROM stations_station_rtree WHERE id = old.id;
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS stations_station_rtree_insert",
    "DROP TRIGGER IF EXISTS stations_station_rtree_update",
    "DROP TRIGGER IF EXISTS stations_station_rtree_delete",
    "DROP TABLE IF EXISTS stations_station_rtree",
]
POSTGRES_GIST = (
    "CREATE INDEX station_point_gist ON stations_station USING gist (point(lng, lat)) WHERE published"
)
POSTGRES_DROP = "DROP INDEX IF EXISTS station_point_gist"


def sqlite_has_rtree(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return "ENABLE_RTREE" in {option for (option,) in cursor.fetchall()}


def create_spatial_index(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_GIST)
    elif connection.vendor == "sqlite" and sqlite_has_rtree(connection):
        for statement in SQLITE_RTREE + SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def drop_spatial_index(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("stations", "0002_safetyvideo_mime_type"),
    ]

    operations = [
        migrations.RunPython(create_spatial_index, drop_spatial_index),
    ]
