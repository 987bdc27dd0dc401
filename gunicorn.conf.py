"""gunicorn's settings, read from the working directory (the image's /app) at every start.

The access log holds no secrets and no personal data: the path only, never the query string
(a link's token on its first GET), nor the Referer (it may carry a query), the user agent or
the client address (the TLS proxy in front keeps its own, shorter-lived log). What remains is
enough to see load and errors: time, method, path, status, size and duration. Both logs are
JSON lines like the application's (wiesbaden_abh.logs.GunicornLogger), with the request id the
application returned in X-Request-ID, and token-like path segments masked.
"""

import os

accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
logger_class = "wiesbaden_abh.logs.GunicornLogger"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (see README "Metrics") a dead worker's live gauges go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Draining: on SIGTERM (a deploy, `docker compose stop`) the workers stop accepting, finish the
# requests in flight for up to graceful_timeout seconds, then exit. The orchestrator must wait
# longer than that before it kills (compose: web's stop_grace_period).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
