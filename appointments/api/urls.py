"""Public API routes (included under /api/v1/); these paths are a contract for other systems."""

from django.urls import path

from . import slots, views, waitlist

urlpatterns = [
    path("services/", slots.ServiceListView.as_view(), name="services"),
    path("services/<slug:slug>/slots/", slots.ServiceSlotsView.as_view(), name="service-slots"),
    path("challenge/", views.ChallengeView.as_view(), name="challenge"),
    path("bookings/", views.BookingCreateView.as_view(), name="booking-create"),
    path("bookings/<str:code>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<str:code>/verify/", views.BookingVerifyView.as_view(), name="booking-verify"),
    path("bookings/<str:code>/cancel/", views.BookingCancelView.as_view(), name="booking-cancel"),
    path(
        "bookings/<str:code>/reschedule/",
        views.BookingRescheduleView.as_view(),
        name="booking-reschedule",
    ),
    # The waitlist: wishes (the token in X-Wish-Token) and the offers made to them.
    path("wishes/", waitlist.WishCreateView.as_view(), name="wish-create"),
    path("wishes/confirm/", waitlist.WishConfirmView.as_view(), name="wish-confirm"),
    path("wishes/mine/", waitlist.WishDetailView.as_view(), name="wish-detail"),
    path("wishes/mine/withdraw/", waitlist.WishWithdrawView.as_view(), name="wish-withdraw"),
    path("wishes/mine/renew/", waitlist.WishRenewView.as_view(), name="wish-renew"),
    path("offers/<int:offer_id>/accept/", waitlist.OfferAcceptView.as_view(), name="offer-accept"),
    path(
        "offers/<int:offer_id>/decline/", waitlist.OfferDeclineView.as_view(), name="offer-decline"
    ),
]
