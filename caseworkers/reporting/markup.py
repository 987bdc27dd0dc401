"""Markup the report pages repeat hundreds of times (table cells, chart marks), built in Python:
through the template engine each piece cost a loop step, lookups and an escape call."""

import html


def escape(text):
    """django.utils.html.conditional_escape without its lazy-string wrappers: the same result
    for the plain strings of cells and labels."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))
