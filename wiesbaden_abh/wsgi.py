"""WSGI entry point (gunicorn wiesbaden_abh.wsgi:application).

Each worker process imports this module before it accepts a connection (without
--preload; with it, the master does, and the workers inherit the prepared state): the
application is built and warmed up there (warmup.py), not by the first resident's request.
"""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")
application = get_wsgi_application()

from wiesbaden_abh import warmup  # noqa: E402 (needs the settings configured above)

logging.getLogger(__name__).info("web process warmed up in %.2f s", warmup.warm())
