"""gunicorn's settings in the Docker image; gunicorn reads ./gunicorn.conf.py from /app by itself.

The Dockerfile's CMD gives the address and the trusted proxy, as the tutorial does; this file holds
the rest. The README lists WEB_CONCURRENCY with the other variables.
"""

import os

# Processes: WEB_CONCURRENCY is how platforms size them (gunicorn's own convention). Two by default,
# so that a worker being restarted never leaves the container without one answering.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Threaded workers keep reporting to the master while a request runs, so `timeout` only restarts
# a worker that hangs: a large upload that takes minutes to reach the storage is never cut off
# half-way, as gunicorn's default sync worker cuts any request after `timeout` seconds (a 500).
worker_class = "gthread"
timeout = 30
# An upload through the server holds a thread for as long as its client sends, so threads, not
# CPU, run out first: with 32 per worker, fifty slow uploads leave the site answering. An idle
# thread costs almost nothing; one busy with an upload holds its read buffer (1 MiB), and up to
# three parts of 8 MiB when it goes to S3. Direct uploads (the default with a cloud storage)
# hold no thread at all. An asynchronous worker would hold none either, but needs the ASGI
# application, and gthread needs nothing more than gunicorn.
threads = 32
# A worker takes no more connections than it has threads, so that the next one goes to a worker
# with a thread free instead of waiting behind the uploads.
worker_connections = threads

# Both logs on stdout, with Django's (settings.LOGGING): the container's output is the only log
# kept, by docker compose and on Divio. ("-" would put the error log on stderr.)
accesslog = "-"
errorlog = "/dev/stdout"

# The image's user has no home to put gunicorn's control socket in, and the platform, not
# gunicorn, manages the container.
control_socket_disable = True


def on_starting(server):
    """Run Django's system checks before listening, like runserver and migrate do.

    A production start with a variable missing (myapp.E001) or a wrong storage DSN then stops
    gunicorn at once with the message naming it, and the deploy fails its health check, instead
    of a container that answers every request with a 500.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")
    from django.core.management import execute_from_command_line

    # Prints the problems and exits with status 1 if there are errors, exactly as
    # `python manage.py check` does.
    execute_from_command_line(["manage.py", "check"])
