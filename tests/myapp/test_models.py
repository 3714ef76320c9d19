"""NameReservation (myapp/models.py): a name held for an upload on its way, one per storage,
which the database itself enforces, whichever process or instance asks."""

import pytest
from django.db import IntegrityError, connection, transaction

from myapp.models import NameReservation

pytestmark = pytest.mark.django_db

BUCKET = "s3:http://127.0.0.1:9000/media/"
OTHER_BUCKET = "s3:http://127.0.0.1:9000/other/"


def test_a_name_is_held_once_per_storage():
    NameReservation.objects.create(storage=BUCKET, name="report.pdf")

    with pytest.raises(IntegrityError), transaction.atomic():
        NameReservation.objects.create(storage=BUCKET, name="report.pdf")

    assert NameReservation.objects.count() == 1


def test_the_database_refuses_a_second_hold_written_by_any_means():
    """Another instance, or SQL of its own, cannot get past it: it is the table's constraint."""
    NameReservation.objects.create(storage=BUCKET, name="report.pdf")
    table = connection.ops.quote_name(NameReservation._meta.db_table)

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (storage, name, started_at) VALUES (%s, %s, %s)",  # noqa: S608
            [BUCKET, "report.pdf", "2026-01-01 00:00:00+00:00"],
        )


def test_the_same_name_may_be_held_in_another_storage_and_another_name_in_the_same():
    NameReservation.objects.create(storage=BUCKET, name="report.pdf")
    NameReservation.objects.create(storage=OTHER_BUCKET, name="report.pdf")
    NameReservation.objects.create(storage=BUCKET, name="report_2.pdf")

    assert NameReservation.objects.count() == 3


def test_a_name_as_long_as_an_s3_key_may_be_is_held():
    name = "a" * 1020 + ".pdf"
    NameReservation.objects.create(storage=BUCKET, name=name)

    assert NameReservation.objects.get().name == name


def test_a_reservation_is_shown_as_its_name_and_knows_when_it_started():
    reservation = NameReservation.objects.create(storage=BUCKET, name="report.pdf")

    assert str(reservation) == "report.pdf"
    assert reservation.started_at is not None
