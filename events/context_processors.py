from django.conf import settings


def site(request) -> dict:
    return {"signup_enabled": settings.SIGNUP_ENABLED, "site_header": "photoshare", "site_title": "photoshare"}
