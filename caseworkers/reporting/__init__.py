"""Supervisor reports: the figures come from appointments.statistics; this package shapes them
into tables (shown and exported as CSV) and draws charts as inline SVG (no script, nothing
external). The pages are in `caseworkers/views/reports.py`.
"""
