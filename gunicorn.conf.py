"""gunicorn's settings, read from the working directory (the image's /app) at every start.

The access log holds no secrets and no personal data: the path only, never the query string
(a link's token on its first GET), nor the Referer (it may carry a query), the user agent or
the client address (the TLS proxy in front keeps its own, shorter-lived log). What remains is
enough to see load and errors: time, method, path, status, size and duration.
"""

accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
