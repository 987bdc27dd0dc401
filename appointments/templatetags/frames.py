"""{% frame "name" [value …] %}…{% endframe %}: a part of a page that depends only on the active
language, the settings and the values named (a step number, never what a visitor typed), drawn
once per process and then given as the text it drew.

base.html's header, language choice and footer, the same on every page of a language, were
drawn on every request (their translations, addresses and static file names); through
{% cache %} each part still cost a hashed key, a lock and unpickling. Names are unique across
the templates. A changed setting (tests) forgets every part.
"""

from django import template
from django.core.signals import setting_changed
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

PARTS = {}
# Names × languages × values stay far below this; should a value vary unexpectedly, parts
# beyond it are drawn each time rather than kept.
LIMIT = 2000


class FrameNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context):
        key = (self.name, get_language(), *(value.resolve(context) for value in self.values))
        text = PARTS.get(key)
        if text is None:
            text = mark_safe(self.nodelist.render(context))  # noqa: S308 (rendered by the engine)
            if len(PARTS) < LIMIT:
                PARTS[key] = text
        return text


@register.tag
def frame(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('{% frame "name" [value …] %} needs a quoted name')
    nodelist = parser.parse(("endframe",))
    parser.delete_first_token()
    return FrameNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])


def clear(**kwargs):
    PARTS.clear()


setting_changed.connect(clear, dispatch_uid="frames-clear")
