"""Forms of the backoffice pages, one module per area (as in `caseworkers/views/`)."""
