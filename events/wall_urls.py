"""The wall's own link (no login: the token is the key), kept out of events/urls.py, whose routes are
all the organizer's (tests/events/test_dashboard_isolation.py walks them)."""

from django.urls import path

from events.views import wall

urlpatterns = [
    path("<slug:slug>/<str:token>/", wall.wall, name="wall"),
    path("<slug:slug>/<str:token>/feed.json", wall.wall_feed_view, name="wall-feed"),
    path(
        "<slug:slug>/<str:token>/photos/<int:pk>/<str:which>",
        wall.wall_photo,
        name="wall-photo",
    ),
]
