"""Demo content for development: services and teams, a past for the reports, an invitations CSV."""
