"""Behind a trusted reverse proxy the client is the right-most address of X-Forwarded-For that no trusted
proxy wrote; from anyone else the header is ignored. The log-in lock-out counts that address."""

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from photoshare_site.proxies import TrustedProxyMiddleware, client_address, trusted_networks
from uploads.config import ConfigError

PROXIES = trusted_networks(["127.0.0.1", "10.0.0.0/8", "::1"])
CLIENT, OTHER_CLIENT, SPOOFED = "203.0.113.7", "198.51.100.9", "192.0.2.66"


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # nginx or Caddy on this machine, one hop
        ("127.0.0.1", CLIENT, CLIENT),
        # the client wrote a header of its own: the proxy appended the real address to its right
        ("127.0.0.1", f"{SPOOFED}, {CLIENT}", CLIENT),
        # two trusted proxies in a row (a load balancer, then nginx)
        ("127.0.0.1", f"{SPOOFED}, {CLIENT}, 10.1.2.3", CLIENT),
        ("::1", "2001:db8::5", "2001:db8::5"),
        # every hop trusted: the left-most is as far as anyone can see
        ("127.0.0.1", "10.0.0.9, 10.1.2.3", "10.0.0.9"),
        # not an address: no proxy of ours wrote it, so the last hop we trust stands
        ("127.0.0.1", f"{CLIENT}, not-an-address", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        # a peer that is no trusted proxy: its header is its own invention
        (OTHER_CLIENT, SPOOFED, OTHER_CLIENT),
    ],
)
def test_the_client_is_the_right_most_address_no_trusted_proxy_wrote(peer, forwarded_for, client):
    assert client_address(peer, forwarded_for, PROXIES) == client


@pytest.mark.one_database
def test_a_typo_in_the_setting_stops_the_start():
    with pytest.raises(ConfigError, match="PHOTOSHARE_TRUSTED_PROXIES"):
        trusted_networks(["10.0.0.0/33"])


def seen_address(peer: str, forwarded_for: str) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded_for)
    TrustedProxyMiddleware(lambda request: HttpResponse())(request)
    return request.META["REMOTE_ADDR"]


@pytest.mark.one_database
def test_by_default_no_proxy_is_trusted_and_the_header_is_ignored():
    assert django_settings.TRUSTED_PROXIES == []
    assert seen_address("127.0.0.1", CLIENT) == "127.0.0.1"


@pytest.mark.one_database
def test_the_middleware_comes_first_so_everything_after_it_sees_the_client():
    assert django_settings.MIDDLEWARE[0] == "photoshare_site.proxies.TrustedProxyMiddleware"


@pytest.mark.one_database
def test_the_middleware_rewrites_remote_addr_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = PROXIES
    assert seen_address("127.0.0.1", f"{SPOOFED}, {CLIENT}") == CLIENT


def wrong_passwords(client: Client, **meta: str) -> None:
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "guess"}, **meta)


def logs_in(**meta: str) -> bool:
    response = Client().post(reverse("login"), {"username": "alice", "password": "correct horse battery"}, **meta)
    return response.status_code == 302


def test_a_lock_out_behind_the_proxy_hits_the_guessing_client_not_everyone(alice, settings):
    settings.TRUSTED_PROXIES = PROXIES
    # GIVEN one client behind nginx guessed alice's password until locked out
    wrong_passwords(Client(), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=CLIENT)
    # THEN that client is locked out, whatever it writes in X-Forwarded-For itself
    assert not logs_in(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=CLIENT)
    assert not logs_in(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}")
    # AND alice, from another address behind the same proxy, still logs in
    assert logs_in(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OTHER_CLIENT)


def test_x_forwarded_for_from_an_untrusted_peer_cannot_dodge_a_lock_out(alice, settings):
    settings.TRUSTED_PROXIES = PROXIES
    # GIVEN a client reaching the server directly, claiming a new address with every guess
    client = Client()
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        meta = {"REMOTE_ADDR": OTHER_CLIENT, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        client.post(reverse("login"), {"username": "alice", "password": "guess"}, **meta)
    # THEN its own address is locked out, and the addresses it named are not
    assert not logs_in(REMOTE_ADDR=OTHER_CLIENT, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert logs_in(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.0")
