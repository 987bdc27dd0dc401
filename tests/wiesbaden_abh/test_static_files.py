"""Static files in production: whitenoise serves hashed names compressed (gzip, Brotli) and
cached for good, so a phone on a slow network fetches each asset once."""

import gzip
import json

import brotli
import pytest
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

from tests.wiesbaden_abh.test_settings import STRONG_KEY, run_with

ONE_YEAR = 365 * 24 * 3600
CSS = "body { color: #123456; }\n" * 200  # large enough for whitenoise to compress it

PRINT_STORAGE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'storage': s.STORAGES['staticfiles']['BACKEND'], "
    "'max_age': s.WHITENOISE_MAX_AGE}))"
)


def test_production_uses_the_compressed_manifest_storage():
    result = run_with({"DEBUG": "off", "SECRET_KEY": STRONG_KEY}, code=PRINT_STORAGE)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["max_age"] > 0


@pytest.fixture
def collected(tmp_path):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text(CSS, encoding="utf-8")
    root = tmp_path / "collected"
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=root,
        STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = json.loads((root / "staticfiles.json").read_text(encoding="utf-8"))
        middleware = WhiteNoiseMiddleware(lambda request: None)
        yield middleware, "/static/" + manifest["paths"]["css/site.css"]


def _get(middleware, url, accept):
    return middleware(RequestFactory().get(url, HTTP_ACCEPT_ENCODING=accept))


def _body(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("gzip", "gzip", gzip.decompress), ("gzip, deflate, br", "br", brotli.decompress)],
)
def test_a_hashed_file_is_served_compressed_and_cached_for_a_year(
    collected, accept, encoding, decode
):
    middleware, url = collected
    response = _get(middleware, url, accept)
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert decode(_body(response)).decode() == CSS
    cache = dict(part.strip().partition("=")[::2] for part in response["Cache-Control"].split(","))
    assert int(cache["max-age"]) >= ONE_YEAR
    assert "immutable" in cache
    assert "Accept-Encoding" in response["Vary"]


def test_without_accept_encoding_the_file_comes_plain(collected):
    middleware, url = collected
    response = _get(middleware, url, "")
    assert "Content-Encoding" not in response
    assert _body(response).decode() == CSS
