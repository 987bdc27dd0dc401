"""Backoffice pages (staff only), one module per area; `caseworkers/urls.py` maps them."""
