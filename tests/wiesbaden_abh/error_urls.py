"""The project's URLs plus one view that raises, for the 500 page tests."""

from django.urls import path

from wiesbaden_abh.urls import handler403, handler404, handler500, urlpatterns


def explode(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("backoffice/explode/", explode),
    path("de/explode/", explode),
    path("tr/explode/", explode),
    *urlpatterns,
]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
