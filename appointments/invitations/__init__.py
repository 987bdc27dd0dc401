"""Proactive invitations: residents whose permits expire are invited with an appointment
already reserved (import → allocate → send → answers, reminder, deadline, outcome).

Modules: lifecycle (the state table and moves, outcomes), csv_import (check and import),
allocation (reserve places), sending (e-mails, reminders, deadlines), answers (the resident's
confirm/move/decline), letters (PDF), links (the secret answer link), reports (supervisor
reads). Import the module you need; the package re-exports nothing, so importing its
lifecycle (as appointments.lifecycle does) loads nothing else.
"""
