"""The guest API as Django views: parse, call the core, shape the response."""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from uploads import http
from uploads.backends import uploader
from uploads.payload import parse_device, parse_upload, parse_upload_key
from uploads.ports import UploadError

log = logging.getLogger(__name__)

ViewResult = tuple[int, dict]


def _cors_headers(request: HttpRequest) -> dict[str, str]:
    origin = request.headers.get("Origin")
    if not origin or origin not in settings.GUEST_API_CORS_ORIGINS:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "3600",
        "Vary": "Origin",
    }


def guest_api(method: str) -> Callable:
    """JSON in and out for the guest page: CORS, one method, and every error as a JSON 4xx/5xx.

    CSRF is off because these endpoints use no cookies; the upload key authorises them.
    """

    def decorate(view: Callable[..., ViewResult]) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
            elif request.method != method:
                response = _json(*http.METHOD_NOT_ALLOWED)
            else:
                response = _json(*_call(view, request, *args, **kwargs))
            for name, value in _cors_headers(request).items():
                response[name] = value
            return response

        return wrapper

    return decorate


def _json(status: int, body: dict) -> JsonResponse:
    response = JsonResponse(body, status=status)
    if status in http.RETRY_AFTER:
        response["Retry-After"] = str(http.RETRY_AFTER[status])
    response["Cache-Control"] = "no-store"
    return response


def _call(view: Callable[..., ViewResult], request: HttpRequest, *args, **kwargs) -> ViewResult:
    try:
        return view(request, *args, **kwargs)
    except UploadError as error:
        return http.error_body(error)
    except RequestDataTooBig:
        return http.too_large_body(settings.MAX_UPLOAD_BYTES)
    except Exception:
        log.exception("guest API failed")
        return http.SERVER_ERROR


@guest_api("GET")
def event_info(request: HttpRequest, slug: str) -> ViewResult:
    device = request.GET.get("deviceId")
    view = uploader().event_view(
        slug,
        parse_upload_key(request.GET.get("key"), "key"),
        parse_device(device) if device else None,
    )
    return http.event_body(view)


@guest_api("POST")
def upload(request: HttpRequest) -> ViewResult:
    # request.body raises RequestDataTooBig from Content-Length alone, before reading anything.
    result = uploader().upload(parse_upload(request.body, settings.MAX_UPLOAD_BYTES))
    return http.upload_body(result)
