"""Structured logs (structlog): one JSON object per line with timestamp, level, event, logger
and request_id, or readable console lines in development (LOG_FORMAT=json|console).

Every library logs through the standard `logging` module; structlog's ProcessorFormatter turns
each record into the JSON line, so Django's, Celery's, gunicorn's and our own lines look alike.
The request id comes from `RequestIdMiddleware` (first in MIDDLEWARE) through a context
variable, travels with the tasks a request causes (task headers, see task_signals.py) and is
returned in the X-Request-ID response header.

Redaction is a last line of defence, not a licence: code logs ids and kinds, never a name, date
of birth, e-mail address or token. Whatever slips through, `redact` masks e-mail addresses,
token-like query parameters, Authorization values and long token-like path segments.
"""

import re
import uuid

import structlog
from gunicorn.glogging import Logger as GunicornBaseLogger
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is taken only if it is short and plain (a proxy's or the client's id).
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SECRET_PARAMETER = re.compile(
    r"(?i)([?&;](?:t|s|token|device|key|secret|password|signature)=)[^&\s\"';]+"
)
AUTHORIZATION = re.compile(r"(?i)\b(Bearer|Token|Device|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")
# Manage and waiting links carry their secret as a path segment: /warten/<token>/; secrets are
# at least 128 bits (22+ URL-safe characters), booking codes and slugs are far shorter.
PATH_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{22,}(?=/|$|\?|\s|\")")
REDACTED = "[redacted]"


def _mask(text):
    text = EMAIL.sub("[email]", text)
    text = SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
    text = AUTHORIZATION.sub(rf"\1 {REDACTED}", text)
    return PATH_TOKEN.sub(REDACTED, text)


def _clean(value):
    if isinstance(value, str):
        return _mask(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def redact(logger, method_name, event_dict):
    """A structlog processor: masks e-mail addresses, secret query parameters, Authorization
    values and token path segments in every string of the line (also tracebacks)."""
    return {key: _clean(value) for key, value in event_dict.items()}


def add_request_id(logger, method_name, event_dict):
    """Every line has a request_id: the request's or the task's, else null."""
    event_dict.setdefault("request_id", None)
    return event_dict


PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(allow=("http", "request_id", "task", "task_id")),
    add_request_id,
]


def formatter(log_format="json"):
    """The logging.Formatter that renders records as JSON or as console lines, redacted."""
    renderer = (
        structlog.dev.ConsoleRenderer(colors=False)
        if log_format == "console"
        else structlog.processors.JSONRenderer()
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=PRE_CHAIN,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )


def logging_config(*, log_format, level):
    """The LOGGING dict for Django's settings (one handler on stderr, the chosen format)."""
    structlog.configure(
        processors=[*PRE_CHAIN, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {"()": formatter, "log_format": log_format},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def new_request_id(incoming=""):
    """The client's or proxy's id if it is plain and short, else a fresh one."""
    if incoming and VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id():
    return get_contextvars().get("request_id")


class RequestIdMiddleware:
    """First in MIDDLEWARE: gives each request an id, binds it to every log line of the
    request (and the tasks it sends) and returns it in the X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        clear_contextvars()
        request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
        request.request_id = request_id
        bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            clear_contextvars()
        response[REQUEST_ID_HEADER] = request_id
        return response


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's error and access logs as JSON lines (gunicorn.conf.py `logger_class`).

    The access line: method, path (redacted; never the query string), status, size, duration
    and the request id the application returned; no client address, Referer or user agent.
    """

    def setup(self, cfg):
        super().setup(cfg)
        structured = formatter("json")
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(structured)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        path = _mask(atoms.get("U", ""))
        status = atoms.get("s", "-")
        self.access_log.info(
            "%s %s %s",
            atoms.get("m", "-"),
            path,
            status,
            extra={
                "http": {
                    "method": atoms.get("m"),
                    "path": path,
                    "status": status,
                    "bytes": atoms.get("B"),
                    "duration_ms": atoms.get("M"),
                },
                "request_id": atoms.get("{x-request-id}o") or None,
            },
        )
