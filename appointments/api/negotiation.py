"""Content negotiation with a shortcut for what every client sends.

The API has one renderer (JSON). DRF's negotiation parses the Accept header into media types
and ranks them for every request: about a twentieth of a refused booking. A request with no
Accept header, `*/*` or exactly the renderer's type, and no `?format=`, gets the renderer
at once, with the media type DRF would have chosen. Anything else (`application/xml`,
a weighted list, a format) goes through DRF's negotiation as before, so an unacceptable
type is still answered 406.
"""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and not format_suffix:
            renderer = renderers[0]
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            param = self.settings.URL_FORMAT_OVERRIDE
            if accept in ("*/*", renderer.media_type) and not (
                param and param in request.query_params
            ):
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
