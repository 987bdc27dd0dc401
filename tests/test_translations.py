"""Every user-facing string is translated: resident side in all six languages, staff side in
German. The catalogues are re-extracted from the current code into a scratch copy, so a new
string without translation fails here even before anyone runs makemessages."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
RESIDENT_LANGUAGES = ("de", "tr", "ar", "ru", "uk")
RESIDENT_SOURCES = (
    "templates/appointments/",
    "templates/base.html",
    "templates/429.html",
    "templates/404.html",
    "templates/403.html",
    "templates/500.html",
    "templates/error_layout.html",
    "appointments/",
)
# Staff-facing code inside the domain app: admin, API documentation, reports, commands.
STAFF_IN_DOMAIN = (
    "appointments/admin/",
    "appointments/api/",
    "appointments/statistics",
    "appointments/management/",
    "appointments/capacity.py",
)
STAFF_SOURCES = ("templates/caseworkers/", "caseworkers/", *STAFF_IN_DOMAIN)


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed")
    scratch = tmp_path_factory.mktemp("i18n")
    for name in ("appointments", "caseworkers", "templates", "wiesbaden_abh", "locale"):
        shutil.copytree(ROOT / name, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", scratch / "manage.py")
    languages = [arg for code in RESIDENT_LANGUAGES for arg in ("-l", code)]
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *languages,
            "--no-obsolete",
            "--ignore",
            "*/migrations/*",
        ],
        cwd=scratch,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return {
        code: polib.pofile(str(scratch / "locale" / code / "LC_MESSAGES" / "django.po"))
        for code in RESIDENT_LANGUAGES
    }


def _missing(catalogue, sources, exclude=()):
    missing = []
    for entry in catalogue:
        paths = [path for path, _line in entry.occurrences if not path.startswith(exclude)]
        if entry.obsolete or not any(path.startswith(sources) for path in paths):
            continue
        translated = all(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr
        if not translated or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    return missing


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_every_resident_string_is_translated(catalogues, language):
    missing = _missing(catalogues[language], RESIDENT_SOURCES, exclude=STAFF_IN_DOMAIN)
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"


def test_every_staff_string_is_translated_into_german(catalogues):
    missing = _missing(catalogues["de"], STAFF_SOURCES)
    assert missing == [], f"{len(missing)} untranslated: {missing[:10]}"


def test_compiled_catalogues_are_up_to_date():
    for language in (*RESIDENT_LANGUAGES, "en"):
        folder = ROOT / "locale" / language / "LC_MESSAGES"
        po, mo = folder / "django.po", folder / "django.mo"
        assert mo.exists(), f"{mo} missing: run make messages"
        compiled = {
            e.msgid for e in polib.mofile(str(mo)) if e.msgstr or any(e.msgstr_plural.values())
        }
        written = {e.msgid for e in polib.pofile(str(po)) if e.translated() and not e.obsolete}
        assert written <= compiled | {""}, f"{language}: .mo is older than .po"
