"""Resident pages: start and privacy (public), the booking wizard, the manage pages."""
