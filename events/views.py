"""Organizer-facing views (the full dashboard arrives with its own issue)."""

from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from events.models import Photo
from uploads.backends import on_aws, photo_storage


def download_name(photo: Photo) -> str:
    """`<guest folder>_<stored name>`, so a downloaded file still says who took it."""
    key = PurePosixPath(photo.key)
    return f"{key.parent.name}_{key.name}"


@login_required
def photo_original(request: HttpRequest, pk: int) -> HttpResponse:
    """The original photo, for its event's organizer or staff; anyone else gets a 404."""
    visible = Photo.objects.all() if request.user.is_staff else Photo.objects.filter(event__owner=request.user)
    photo = get_object_or_404(visible, pk=pk)
    storage = photo_storage()
    if on_aws():
        # A presigned GET that expires (PHOTOSHARE_PRESIGNED_URL_SECONDS, at most 15 minutes).
        return redirect(
            storage.url(
                photo.key, parameters={"ResponseContentDisposition": f'attachment; filename="{download_name(photo)}"'}
            )
        )
    return FileResponse(storage.open(photo.key), as_attachment=True, filename=download_name(photo))
