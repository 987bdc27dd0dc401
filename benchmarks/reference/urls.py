from django.urls import path

from . import views

urlpatterns = [
    path("slots/", views.slots),
    path("book/", views.book),
]
