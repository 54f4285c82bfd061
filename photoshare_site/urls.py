from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from events.views import album, guest_api, short_links
from photoshare_site import wiring
from uploads import api, guest_page, local_put

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="event-list", permanent=False)),
    path("admin/", admin.site.urls),
    # The dashboard's language menu posts here (Django's view: a cookie, then back to the page).
    path("language/", set_language, name="set_language"),
    path("", include("events.urls")),
    path("wall/", include("events.wall_urls")),
    path("api/openapi.json", api.openapi, name="api-openapi"),
    path("api/events/<str:slug>", api.event_info, {"direct": wiring.direct_uploads}, name="api-event"),
    path("api/upload", api.upload, {"uploader": wiring.uploader}, name="api-upload"),
    path("api/uploads", api.upload_start, {"direct": wiring.direct_uploads}, name="api-upload-start"),
    path("api/uploads/<str:upload_id>", api.upload_status, {"direct": wiring.direct_uploads}, name="api-upload-status"),
    path(
        "api/uploads/<str:upload_id>/complete",
        api.upload_complete,
        {"direct": wiring.direct_uploads},
        name="api-upload-complete",
    ),
    path("api/uploads/<str:upload_id>/data", local_put.receive, {"staging": wiring.local_staging}, name="api-put"),
    # My uploads on the guest page: answered from the dashboard's records of the photos.
    path("api/events/<str:slug>/mine", guest_api.mine, name="api-mine"),
    path("api/events/<str:slug>/mine/<int:pk>/thumbnail", guest_api.mine_thumbnail, name="api-mine-thumbnail"),
    path("api/events/<str:slug>/mine/<int:pk>/delete", guest_api.mine_delete, name="api-mine-delete"),
    # Last of the API's: whatever else is asked under /api/ answers a JSON 404.
    re_path(r"^api/(?P<rest>.*)$", api.not_found, name="api-not-found"),
    # The guests' shared album (events/views/album.py): no log-in, its own token.
    path("album/<slug:slug>/<str:token>/", album.album, name="album"),
    path("album/<slug:slug>/<str:token>/download.zip", album.album_download, name="album-download"),
    path("album/<slug:slug>/<str:token>/photos/<int:pk>/<str:which>", album.album_photo, name="album-photo"),
    # The table card's short address (events/short_codes.py): public, rate-limited, redirects to the guest link.
    path("g/<str:code>", short_links.follow, name="short-link"),
    path("guest/", guest_page.guest_file, name="guest-page"),
    path("guest/<str:name>", guest_page.guest_file, name="guest-file"),
]
