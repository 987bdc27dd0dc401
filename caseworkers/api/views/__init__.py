"""Staff API views: one per operation; each checks the role, parses, calls the domain
function the backoffice calls and shapes the answer. Domain errors become 409/400 in
appointments.api.errors, as for the public API."""
