"""Login throttling behind Divio's proxy: wrong passwords lock one username at one address out,
many from one address lock the address, the right password included; elsewhere it works. With no
proxy declared, X-Forwarded-For is the client's word, and changes nothing."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
PROXY = "10.0.0.2"  # what REMOTE_ADDR is behind Divio's proxy
PASSWORD = "the-right-password"


@pytest.fixture
def admin(django_user_model, settings):
    settings.TRUSTED_PROXY_COUNT = "1"  # Divio's proxy in front
    return django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)


def log_in(address, password, username="admin", forged=None):
    """POST the admin's login form from ``address``, as the proxy forwards it."""
    forwarded = f"{forged}, {address}" if forged else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )


def fail(times, address, username="admin", forged=None):
    """Log in with a wrong password ``times`` times; return the statuses of the answers."""
    return [log_in(address, "wrong", username, forged).status_code for _ in range(times)]


def test_five_wrong_passwords_refuse_the_right_one_from_there_only(admin):
    assert fail(5, "203.0.113.5") == [200, 200, 200, 200, 429]  # the fifth locks out

    locked = log_in("203.0.113.5", PASSWORD)
    elsewhere = log_in("198.51.100.7", PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed logins from here" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    assert (elsewhere.status_code, elsewhere.url) == (302, "/admin/")


def test_four_are_not_enough_and_a_success_starts_the_count_again(admin):
    assert fail(4, "203.0.113.5") == [200] * 4
    assert log_in("203.0.113.5", PASSWORD).status_code == 302
    assert fail(4, "203.0.113.5") == [200] * 4
    assert log_in("203.0.113.5", PASSWORD).status_code == 302


def test_twenty_from_one_address_lock_the_address_for_every_username(admin):
    statuses = [fail(1, "203.0.113.5", username=f"guess-{n}")[0] for n in range(20)]

    assert statuses == [200] * 20
    assert log_in("203.0.113.5", PASSWORD).status_code == 429
    assert log_in("198.51.100.7", PASSWORD).status_code == 302


def test_a_forged_forwarded_address_changes_nothing(admin):
    fail(5, "203.0.113.5", forged="192.0.2.1")

    assert log_in("203.0.113.5", PASSWORD, forged="192.0.2.99").status_code == 429
    assert log_in("203.0.113.5", PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off_time(admin):
    fail(5, "203.0.113.5")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert log_in("203.0.113.5", PASSWORD).status_code == 302


def test_the_unlock_command_lets_the_address_in_at_once(admin):
    fail(5, "203.0.113.5")

    call_command("axes_reset_ip", "203.0.113.5", stdout=None)

    assert log_in("203.0.113.5", PASSWORD).status_code == 302


# No proxy in front (`make run`, `docker compose up`, the image on its own): the connection's
# address is the client's, whatever X-Forwarded-For says.


def log_in_directly(peer, password, forwarded):
    return Client(REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded).post(
        LOGIN, {"username": "admin", "password": password, "next": "/admin/"}
    )


def test_without_a_proxy_a_rotated_header_never_escapes_the_lockout(admin, settings):
    settings.TRUSTED_PROXY_COUNT = "0"
    statuses = [
        log_in_directly("203.0.113.5", "wrong", f"192.0.2.{n}").status_code for n in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert log_in_directly("203.0.113.5", PASSWORD, "192.0.2.200").status_code == 429


def test_without_a_proxy_nobody_locks_out_an_address_of_their_choice(admin, settings):
    settings.TRUSTED_PROXY_COUNT = "0"
    for _ in range(5):
        log_in_directly("203.0.113.5", "wrong", "198.51.100.7")

    assert log_in("198.51.100.7", PASSWORD).status_code == 302  # from there, through no proxy
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@pytest.mark.parametrize("proxies", ["0", "1"])
@pytest.mark.parametrize("header", ["not-an-address", "", ", ,", "300.1.2.3", "1.2.3.4\x00"])
def test_a_header_that_is_no_address_is_the_peer_s_and_never_an_error(
    admin, settings, proxies, header
):
    settings.TRUSTED_PROXY_COUNT = proxies

    response = log_in_directly("203.0.113.5", "wrong", header)

    assert response.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
