"""``manage.py sweepuploads`` as the tests run it, and names held as long as a stopped upload's."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from myapp.models import NameReservation


def sweep(*args):
    """Run sweepuploads with ``args``; return its last line, ``swept N, failed K``."""
    out = StringIO()
    call_command("sweepuploads", *args, stdout=out)
    return out.getvalue().splitlines()[-1]


def two_days_ago(name):
    """Make the upload holding ``name`` one that started two days ago."""
    NameReservation.objects.filter(name=name).update(started_at=timezone.now() - timedelta(days=2))
