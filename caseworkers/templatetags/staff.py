"""Template helpers for the staff layout."""

from django import template

from ..audit_log import describe_action, describe_details
from ..roles import role_labels

register = template.Library()


@register.filter
def roles(user):
    """`{{ user|roles }}`: the user's roles as the header names them, e.g. "Empfang"."""
    return role_labels(user)


@register.filter
def action_description(action):
    """`{{ event.action|action_description }}`: the readable description of an audit action."""
    return describe_action(action)


@register.filter
def event_details(data):
    """`{% for label, value in event.data|event_details %}`: labelled payload fields."""
    return describe_details(data)
