"""A WSGI app whose every request takes 2 s: the drain test's request in flight."""

import time


def application(environ, start_response):
    time.sleep(2)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]
