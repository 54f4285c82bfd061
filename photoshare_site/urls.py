from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from events import views
from uploads import api, guest_page

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/events/<str:slug>", api.event_info, name="api-event"),
    path("api/upload", api.upload, name="api-upload"),
    path("guest/", guest_page.guest_file, name="guest-page"),
    path("guest/<str:name>", guest_page.guest_file, name="guest-file"),
    path("photos/<int:pk>/original", views.photo_original, name="photo-original"),
]
