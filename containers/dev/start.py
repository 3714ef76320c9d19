"""Prepare the database of `docker compose up`, then run the command given: the dev server.

docker-compose.yml runs `python containers/dev/start.py python manage.py runserver 0.0.0.0:80`
in `web`, as the checkout's owner (containers/dev/entrypoint.py). It waits for PostgreSQL in
database_default, applies the migrations, creates the admin user from .env-local's
DJANGO_SUPERUSER_* variables unless that user exists, and replaces itself with the command. A
second `up` finds both done and goes straight to the server. On Divio none of this runs: the
release command migrates, and the image's CMD serves.
"""

import os
import sys
import time
from pathlib import Path

# Run as a script, it needs the checkout on its path as manage.py has it.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")

import django
from django.core.management import call_command
from django.db import OperationalError, connection

# PostgreSQL's first start (initdb) takes seconds; a minute means it is not coming.
DATABASE_WAIT_SECONDS = 60


def wait_for_database():
    """Return once the database accepts connections; exit with a message if it never does."""
    print("Waiting for the database (database_default) ...", flush=True)
    deadline = time.monotonic() + DATABASE_WAIT_SECONDS
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError as error:
            if time.monotonic() > deadline:
                sys.exit(
                    f"The database did not accept connections within {DATABASE_WAIT_SECONDS} s "
                    f"({str(error).strip()}). See `docker compose logs database_default`."
                )
            time.sleep(1)


def create_admin_user():
    """Create the user that DJANGO_SUPERUSER_USERNAME names (.env-local) unless it exists."""
    from django.contrib.auth import get_user_model

    username = os.environ.get("DJANGO_SUPERUSER_USERNAME")
    if username and not get_user_model().objects.filter(username=username).exists():
        call_command("createsuperuser", interactive=False)
        print(f"Log in as {username!r} with .env-local's DJANGO_SUPERUSER_PASSWORD.", flush=True)


django.setup()
wait_for_database()
call_command("migrate", interactive=False)
create_admin_user()
connection.close()
print("The admin: http://127.0.0.1:8000/admin/", flush=True)
os.execvp(sys.argv[1], sys.argv[1:])  # noqa: S606 - becomes the command it was given
