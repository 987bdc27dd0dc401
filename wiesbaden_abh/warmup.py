"""What a web worker prepares before it answers its first request.

A fresh process builds, on first use, the URL resolver of each language, the translation
catalogues, the compiled mail templates, the e-mail validator's pattern and Celery's task
registry, result backend and broker transport: together a tenth of a
second, paid by the first booking each worker served after a start or a deploy (the 07:00 rush
meets freshly started workers as often as not). `warm()` does that work at start-up instead.
It touches neither the database nor the broker (their connections are opened per process on
first use, after any fork), so a worker starts also while either is down.
"""

import logging
import time

from celery import current_app
from django.conf import settings
from django.core.validators import validate_email
from django.template import engines
from django.template.exceptions import TemplateDoesNotExist, TemplateSyntaxError
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)

# The templates of every mail (a booking renders one inside its request).
MAIL_TEMPLATE_DIR = "appointments/email"


def mail_templates():
    """The names of the mail templates, as the template loader finds them."""
    names = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        folder = directory / MAIL_TEMPLATE_DIR
        if folder.is_dir():
            names += sorted(f"{MAIL_TEMPLATE_DIR}/{path.name}" for path in folder.iterdir())
    return names


def warm():
    """Build the per-process state of the hot paths now; returns the seconds it took."""
    started = time.perf_counter()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the language's catalogue
            reverse("appointments:home")  # builds the resolver's reverse map for the language
    engine = engines["django"].engine
    for name in mail_templates():
        try:
            engine.get_template(name)  # compiled once, kept by the cached loader
        except (TemplateDoesNotExist, TemplateSyntaxError):
            logger.exception("mail template %s does not compile", name)
    validate_email("warm-up@example.org")  # compiles the validator's domain pattern
    current_app.finalize(auto=True)  # the task registry (imports the tasks modules)
    current_app.backend  # noqa: B018 (the result backend's class, imported on first use)
    with current_app.connection_for_write() as connection:
        connection.transport  # noqa: B018 (the broker transport's class; no connection yet)
    return time.perf_counter() - started
