"""The outbox as residents will read it: a booking's mails are stored unwritten and written by
the worker that sends them (appointments.notifications.messages.write); tests that read a
message's text before it is sent write it the same way."""

from appointments.notifications import messages


def written(message):
    """`message` with its subject, bodies and files: written now if it is stored unwritten."""
    return message if message.render_context is None else messages.write(message)
