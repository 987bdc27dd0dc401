"""The REST API under /api/v1/ and its schema under /api/schema/."""

urlpatterns = []
