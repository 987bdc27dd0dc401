"""Secrets that arrive in a link's query (`?t=`, `?s=`, `?device=`) leave the address at once.

The first GET hands the secret to the page's keeper (which puts it into the session) and sends
the browser to the same address without it, so no access log, browser history or Referer
header carries it; the pages then read the secret from the session.
"""

from django.shortcuts import redirect


def address_without(request, name):
    """The request's path and query with the parameter `name` taken out."""
    query = request.GET.copy()
    query.pop(name, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def move_to_session(request, name, keep):
    """If the address carries `?name=`, call keep(value) and redirect to the address without it.

    keep stores the value (in the session) and returns None, or returns a response that refuses
    the link (not found, too many attempts), which is then answered instead. Returns None when
    the address carries no such parameter, so the view goes on as usual.
    """
    if request.method != "GET" or name not in request.GET:
        return None
    return keep(request.GET[name]) or redirect(address_without(request, name))
