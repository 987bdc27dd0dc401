"""The public REST API (/api/v1/): services, free times, booking and managing a booking."""
