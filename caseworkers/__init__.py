"""The staff side: reception, queue, call display, capacity screens, reports, roles."""
