"""The project's own views: local media in DEBUG, and the health check.

``GET /healthz``: whether this instance can serve its pages and its media. 200 with
``{"status": "ok", "database": "ok", "storage": "ok"}`` when both work; 503 with the failing part
set to ``"failing"`` when one does not. The reason goes to the log, not into the answer, which
anyone may read. myapp.middleware.HealthzMiddleware answers the path.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views import static
from django.views.decorators.cache import never_cache

from myapp.storage.content_types import served_content_type
from myapp.storage.errors import describe
from myapp.storage.names import private_name

logger = logging.getLogger(__name__)

# Probes come every few seconds from every monitor: the storage is asked at most this often per
# process, the database (a local round trip) every time.
STORAGE_CHECK_SECONDS = 10
# A private folder (myapp/storage/names.py), which need not exist: listing it costs one request.
PROBE_FOLDER = private_name("healthz")
OK, FAILING = "ok", "failing"


def serve_media(request, path):
    """Serve a file of the media folder as the cloud storages serve it (DEBUG only).

    As Django's static view does, but a compressed file as it was uploaded: Django's view sends it
    with the Content-Encoding its name implies, and a client honouring it decompresses it.
    """
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    # An uploaded file is never a page of the site: no script of it runs with the site's rights.
    response.headers["Content-Security-Policy"] = "sandbox"
    if response.has_header("Content-Encoding"):
        del response.headers["Content-Encoding"]
        response.headers["Content-Type"] = served_content_type(path)
    return response


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - whatever stops a query is the answer
        logger.warning("healthz: the database is failing: %s: %s", type(error).__name__, error)
        return FAILING
    return OK


def storage_status():
    """Return whether the storage answers: one read that fails when it cannot be reached.

    It fails when the storage cannot be reached, refuses the credentials or lacks its bucket or
    container: a listing of a folder that need not exist (S3 needs s3:ListBucket).
    """
    try:
        default_storage.listdir(PROBE_FOLDER)
    except FileNotFoundError:
        pass  # a local folder without it: the storage answered
    except Exception as error:  # noqa: BLE001 - whatever stops a listing is the answer
        logger.warning("healthz: the storage is failing: %s", describe(error))
        return FAILING
    return OK


class Recent:
    """A check's result, reused for ``seconds``.

    While one request checks, the others get the previous result instead of waiting: a storage that
    hangs must not tie up every thread.
    """

    def __init__(self, check, seconds):
        self.check, self.seconds = check, seconds
        self.lock = threading.Lock()
        self.result, self.expires = None, 0.0

    def __call__(self):
        if time.monotonic() < self.expires:
            return self.result
        # Only the very first check has no result to fall back on, so only it is waited for.
        if not self.lock.acquire(blocking=self.result is None):
            return self.result
        try:
            if time.monotonic() >= self.expires:  # not done by another thread meanwhile
                self.result = self.check()
                self.expires = time.monotonic() + self.seconds
            return self.result
        finally:
            self.lock.release()


recent_storage_status = Recent(storage_status, STORAGE_CHECK_SECONDS)


@never_cache
def healthz(request):
    parts = {"database": database_status(), "storage": recent_storage_status()}
    healthy = all(state == OK for state in parts.values())
    return JsonResponse(
        {"status": OK if healthy else FAILING, **parts}, status=200 if healthy else 503
    )
