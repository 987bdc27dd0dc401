"""The domain (services, teams, slots, appointments) and the resident side."""
