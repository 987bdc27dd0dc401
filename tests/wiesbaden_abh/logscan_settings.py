"""The project's settings for test_logs_hold_no_secrets.py's gunicorn, with one change: static
files are served unhashed, so the run needs no collectstatic (into the shared var/)."""

from wiesbaden_abh import settings as _project

globals().update({name: getattr(_project, name) for name in dir(_project) if name.isupper()})
STORAGES = {
    **_project.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
