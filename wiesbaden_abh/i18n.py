"""The language switch: Django's set_language, resolving `next` in the page's own language.

Django translates `next` by resolving it in the request's active language, which comes from
the browser's Accept-Language here (the switch is outside the language prefix). Activating
the language of the page the visitor came from makes the switch work for every browser.
"""

from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


@require_POST
def set_language(request):
    page_language = translation.get_language_from_path(request.POST.get("next", ""))
    if page_language:
        translation.activate(page_language)
    return django_set_language(request)
