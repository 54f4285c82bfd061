from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from photoshare_site.wiring import quota_store


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_reset_device_sets_the_count_back_to_zero(uploaded, wedding, device):
    uploaded(2)
    assert "0 used" in run("reset_device", wedding.slug, device)
    assert quota_store().usage(wedding.slug, device).count == 0


def test_set_device_limit_gives_one_device_more_and_none_restores_the_event_limit(wedding, device):
    assert "of 15" in run("set_device_limit", wedding.slug, device, "15")
    assert "of 3" in run("set_device_limit", wedding.slug, device, "none")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("reset_device", "nope", "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"), "No event"),
        (("reset_device", "ana-ben", "not-a-uuid"), "UUID"),
        (("set_device_limit", "ana-ben", "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001", "-3"), "0 to 1000"),
        (("set_device_limit", "ana-ben", "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001", "lots"), "0 to 1000"),
    ],
)
def test_bad_arguments_get_a_clear_error(wedding, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
