from django.contrib.auth import views as auth_views
from django.urls import path

from events.views import accounts, album, cohosts, devices, events, photos, wall

urlpatterns = [
    # Django's accounts URLs (as django.contrib.auth.urls names them), with our log-in form and reset views.
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/reset_requested.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/reset_finished.html"),
        name="password_reset_complete",
    ),
    path("events/", events.event_list, name="event-list"),
    path("events/new/", events.event_create, name="event-create"),
    path("events/<slug:slug>/", events.event_detail, name="event-detail"),
    path("events/<slug:slug>/edit/", events.event_edit, name="event-edit"),
    path("events/<slug:slug>/open/", events.event_toggle_open, name="event-toggle-open"),
    path("events/<slug:slug>/rotate-key/", events.event_rotate_key, name="event-rotate-key"),
    path("events/<slug:slug>/delete/", events.event_delete, name="event-delete"),
    path("events/<slug:slug>/qr.png", events.event_qr, {"fmt": "png"}, name="event-qr-png"),
    path("events/<slug:slug>/qr.svg", events.event_qr, {"fmt": "svg"}, name="event-qr-svg"),
    path("events/<slug:slug>/card/", events.event_card, name="event-card"),
    path("events/<slug:slug>/cohosts/add/", cohosts.cohost_add, name="event-cohost-add"),
    path("events/<slug:slug>/cohosts/remove/", cohosts.cohost_remove, name="event-cohost-remove"),
    path("events/<slug:slug>/card/accent.css", events.event_card_accent, name="event-card-accent"),
    path("events/<slug:slug>/album/link/", album.album_link, name="event-album-link"),
    path("events/<slug:slug>/photos/", photos.gallery, name="gallery"),
    path("events/<slug:slug>/photos/download.zip", photos.download_all, name="download-all"),
    path("events/<slug:slug>/photos/moderate/", photos.photos_moderate, name="photos-moderate"),
    path("events/<slug:slug>/photos/<int:pk>/", photos.photo_detail, name="photo-detail"),
    path(
        "events/<slug:slug>/photos/<int:pk>/original", photos.photo_file, {"which": "original"}, name="photo-original"
    ),
    path("events/<slug:slug>/photos/<int:pk>/video", photos.photo_file, {"which": "video"}, name="photo-video"),
    path(
        "events/<slug:slug>/photos/<int:pk>/thumbnail",
        photos.photo_file,
        {"which": "thumbnail"},
        name="photo-thumbnail",
    ),
    path("events/<slug:slug>/photos/<int:pk>/display", wall.photo_display, name="photo-display"),
    path("events/<slug:slug>/photos/<int:pk>/hide/", photos.photo_hide, name="photo-hide"),
    path("events/<slug:slug>/photos/<int:pk>/delete/", photos.photo_delete, name="photo-delete"),
    path("events/<slug:slug>/wall/", wall.event_wall, name="event-wall"),
    path("events/<slug:slug>/wall/feed.json", wall.event_wall_feed, name="event-wall-feed"),
    path("events/<slug:slug>/wall/link/", wall.event_wall_link, name="event-wall-link"),
    path("events/<slug:slug>/devices/", devices.device_list, name="device-list"),
    path("events/<slug:slug>/devices/<str:device>/reset/", devices.device_reset, name="device-reset"),
    path("events/<slug:slug>/devices/<str:device>/limit/", devices.device_limit, name="device-limit"),
    path(
        "events/<slug:slug>/devices/<str:device>/photos/delete/",
        devices.device_photos_delete,
        name="device-photos-delete",
    ),
]
