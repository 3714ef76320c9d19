"""Configuration mistakes stop `manage.py check` (and so runserver, migrate, gunicorn) at
start-up, named, and without printing any secret."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from myapp.checks import PRODUCTION_VARIABLES
from tests.helpers.dsns import MALFORMED, SECRET, VALID
from tests.helpers.project import NO_ISSUES, PRODUCTION, check, manage


@pytest.mark.parametrize("missing", PRODUCTION_VARIABLES)
def test_a_production_run_refuses_to_start_without_a_variable(missing):
    environment = {name: value for name, value in PRODUCTION.items() if name != missing}
    result = manage("check", **environment)
    assert result.returncode == 1
    assert f"(myapp.E001) {missing} is not set and DEBUG is off." in result.stderr
    assert result.stderr.count("myapp.E001") == 1


def test_a_local_debug_run_needs_no_variable():
    result = manage("check", DJANGO_DEBUG="True")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("value", "expected"), MALFORMED)
def test_a_malformed_storage_dsn_fails_the_check_without_its_secret(
    settings, capsys, value, expected
):
    settings.DEBUG = True  # so that an empty DSN is this check's to report, not myapp.E001's
    settings.DEFAULT_STORAGE_DSN = value
    with pytest.raises(SystemCheckError) as failure:
        call_command("check")
    message = str(failure.value) + "".join(capsys.readouterr())
    assert "(myapp.E002) DEFAULT_STORAGE_DSN is not a usable storage DSN: " in message
    assert expected in message
    assert "Accepted forms: file:///absolute/folder/?url=%2Fmedia%2F; s3://" in message
    assert SECRET not in message


@pytest.mark.parametrize("value", VALID)
def test_an_accepted_storage_dsn_passes_the_check(settings, value):
    settings.DEFAULT_STORAGE_DSN = value
    assert check() == NO_ISSUES


def test_manage_py_check_exits_non_zero_on_a_bad_dsn_and_hides_the_secret():
    result = manage(
        "check",
        DJANGO_DEBUG="True",
        DEFAULT_STORAGE_DSN=f"s3://KEY:{SECRET}@bucket.s3.amazonaws.com/?acl=public",
    )
    assert result.returncode == 1
    assert "myapp.E002" in result.stderr
    assert "acl=public is not one of" in result.stderr
    assert SECRET not in result.stdout + result.stderr
