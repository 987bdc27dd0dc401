"""WSGI entry point (gunicorn wiesbaden_abh.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")
application = get_wsgi_application()
