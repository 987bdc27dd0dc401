"""django.contrib.messages' middleware, with the storage opened only when a request uses it.

Django opens the message storage for every request; with the cookie storage that builds a
signer, about a twentieth of a refused booking, for the API and the board polls that never
show a message. Here the storage is opened on first use (adding, reading, a template that
lists messages). A request that never touched it leaves the messages stored by earlier
requests as they are, as Django's `update` would.
"""

from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.utils.functional import SimpleLazyObject, empty


class MessageMiddleware(DjangoMessageMiddleware):
    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never opened: nothing added, nothing read
        return super().process_response(request, response)
