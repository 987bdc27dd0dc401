"""Supervisor screens under /backoffice/manage/: capacity (opening rules, closures, counters),
the audit log and the call display devices."""
