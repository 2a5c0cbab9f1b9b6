"""How answers leave the server: text compressed, media untouched, static files hashed."""
from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import resolve

from common.staticfiles import StaticStorage


@pytest.mark.django_db
def test_html_is_gzipped_for_a_browser_that_accepts_it(client):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "爱心驿站" in gzip.decompress(response.content).decode()


@pytest.mark.django_db
def test_html_is_plain_for_a_client_without_gzip(client):
    response = client.get("/")

    assert not response.has_header("Content-Encoding")
    assert "爱心驿站" in response.content.decode()


@pytest.mark.django_db
def test_api_json_is_gzipped(client):
    response = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b"openapi" in gzip.decompress(b"".join(response.streaming_content) if response.streaming else response.content)


@pytest.mark.django_db
def test_media_files_are_sent_as_they_are(client):
    # The media route captured MEDIA_ROOT when the URLconf loaded; use its folder.
    folder = Path(resolve("/media/x").kwargs["document_root"])
    folder.mkdir(parents=True, exist_ok=True)
    clip = folder / f"serving-test-{uuid.uuid4().hex}.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096)
    try:
        response = client.get(f"/media/{clip.name}", HTTP_ACCEPT_ENCODING="gzip")

        assert response.status_code == 200
        assert not response.has_header("Content-Encoding")
        assert b"".join(response.streaming_content).startswith(b"\x00\x00\x00\x18ftyp")
    finally:
        clip.unlink()


def test_collected_modules_import_each_other_by_hashed_name(tmp_path: Path):
    source = tmp_path / "src" / "app" / "js"
    source.mkdir(parents=True)
    (source / "kit.js").write_text("export const answer = 42;\n" + "// padding so the file is worth compressing\n" * 40)
    (source / "page.js").write_text('import { answer } from "./kit.js";\nconsole.log(answer);\n' + "// padding\n" * 80)
    root = tmp_path / "collected"
    storages = {"staticfiles": {"BACKEND": "common.staticfiles.StaticStorage"}}
    # Only these two files: the apps' own static files would make this a 15 s test.
    only_these = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    with override_settings(STATICFILES_DIRS=[tmp_path / "src"], STATICFILES_FINDERS=only_these, STATIC_ROOT=root,
                           STORAGES=storages, DEBUG=True):
        call_command("collectstatic", interactive=False, verbosity=0)
        storage = StaticStorage()
        page_url = storage.url("app/js/page.js")
        kit_url = storage.url("app/js/kit.js")

    # Hashed even with DEBUG on: `make run` serves the collected files.
    assert page_url != "/static/app/js/page.js" and page_url.endswith(".js")
    hashed_page = root / page_url.removeprefix("/static/")
    assert f'from "./{Path(kit_url).name}"' in hashed_page.read_text()
    assert (root / (page_url.removeprefix("/static/") + ".gz")).exists()
