"""A tiny Django project that sets the ceiling: what this stack (gunicorn, Django, PostgreSQL)
does with one indexed query, and with the guarded UPDATE + INSERT of a booking."""
