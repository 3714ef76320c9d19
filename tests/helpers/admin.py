"""The uploader's admin pages as a logged-in user posts and reads them."""

import html
import re

from django.core.files.uploadedfile import SimpleUploadedFile

CHANGELIST = "/admin/uploader/uploadedfile/"
ADD_URL = f"{CHANGELIST}add/"
# The site of Django's test client, as a browser names the page a POST comes from.
ORIGIN = "http://testserver"


def admin_upload(client, name, content):
    """POST the admin's add form with one file, as the browser does."""
    return client.post(
        ADD_URL, {"file": SimpleUploadedFile(name, content)}, headers={"Origin": ORIGIN}
    )


def admin_link(client, uploaded):
    """Return the absolute link to the file that the change page of ``uploaded`` shows."""
    page = client.get(f"{CHANGELIST}{uploaded.pk}/change/").content.decode()
    return html.unescape(re.search(r'href="(https?://[^"]+)"', page)[1])
