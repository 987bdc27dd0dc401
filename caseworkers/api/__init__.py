"""The staff REST API (/api/v1/staff/) and the call-display feed (/api/v1/display/)."""
