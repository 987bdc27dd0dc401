"""Django's own first sessions migration, as applied in the test database."""

from importlib import import_module

Migration = import_module("django.contrib.sessions.migrations.0001_initial").Migration
