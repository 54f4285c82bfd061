"""The client's address behind a reverse proxy (PHOTOSHARE_TRUSTED_PROXIES).

Behind nginx or Caddy every request comes from the proxy's address, so the log-in lock-out and the guest
rate limits would count every client as one. A proxy we trust appends the address it saw to
X-Forwarded-For; anything to its left was written by the client and may be anything. So the client is
the right-most address that no trusted proxy wrote, never the left-most.
"""

from collections.abc import Callable, Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from uploads.config import ConfigError

Network = IPv4Network | IPv6Network


def trusted_networks(entries: Iterable[str]) -> list[Network]:
    """Addresses or CIDR ranges, e.g. ["127.0.0.1", "10.0.0.0/8"]; fails at start-up on a typo."""
    try:
        return [ip_network(entry) for entry in entries]
    except ValueError as error:
        raise ConfigError(f"PHOTOSHARE_TRUSTED_PROXIES: {error}") from None


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    """`peer` unless it is a trusted proxy; then, walking X-Forwarded-For from the right past the
    trusted proxies, the first address that is not one (or the left-most, when all are)."""
    if not _trusted(peer, networks):
        return peer
    address = peer
    for hop in reversed([hop.strip() for hop in forwarded_for.split(",")]):
        try:
            ip_address(hop)
        except ValueError:
            break  # No proxy of ours writes this: stop at the last hop we could vouch for.
        address = hop
        if not _trusted(hop, networks):
            break
    return address


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: REMOTE_ADDR becomes the client's address for everything after it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TRUSTED_PROXIES:
            meta = request.META
            meta["REMOTE_ADDR"] = client_address(
                meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXIES
            )
        return self.get_response(request)


def request_address(request: HttpRequest) -> str | None:
    """django-axes's AXES_CLIENT_IP_CALLABLE: the address this middleware settled on, and nothing
    else (no header of the client's choosing)."""
    return request.META.get("REMOTE_ADDR")
