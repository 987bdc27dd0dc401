"""{% frame %}: page parts drawn once per process, language and named values."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import translation

from appointments.templatetags import frames

PART = Template('{% load frames %}[{% frame "t" step %}{{ text }}:{{ step }}{% endframe %}]')


def draw(**context):
    return PART.render(Context(context))


def test_a_part_is_drawn_once_per_language_and_value():
    with translation.override("de"):
        assert draw(text="erst", step=1) == "[erst:1]"
        assert draw(text="später", step=1) == "[erst:1]"  # kept: not drawn again
        assert draw(text="später", step=2) == "[später:2]"
    with translation.override("en"):
        assert draw(text="first", step=1) == "[first:1]"


def test_a_changed_setting_forgets_the_parts():
    with translation.override("de"):
        assert draw(text="alt", step=1) == "[alt:1]"
        with override_settings(AUTHORITY_NAME="Ausländerbehörde Mainz"):
            assert draw(text="neu", step=1) == "[neu:1]"


def test_beyond_the_limit_parts_are_drawn_each_time(monkeypatch):
    monkeypatch.setattr(frames, "LIMIT", 0)
    with translation.override("de"):
        assert draw(text="a", step=1) == "[a:1]"
        assert draw(text="b", step=1) == "[b:1]"
    assert frames.PARTS == {}


def test_a_part_is_escaped_as_the_page_is():
    with translation.override("de"):
        assert draw(text="<b>", step=3) == "[&lt;b&gt;:3]"


@pytest.mark.parametrize("tag", ["{% frame %}", "{% frame name %}", '{% frame "open %}'])
def test_a_part_needs_a_quoted_name(tag):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load frames %}" + tag + "{% endframe %}")
