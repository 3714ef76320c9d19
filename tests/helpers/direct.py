"""Direct uploads as the browser's script makes them
(directuploads/static/directuploads/direct-upload.js).

``TestClientApi`` drives the signing views through Django's test client, ``SessionApi`` through
requests against a real server; the parts go to the storage with requests, as from a browser,
each with the checksum the server asked for (``checksum`` in the start's answer) and the headers
it signed.
"""

import base64
import hashlib
import json

import requests

START = "/admin/uploader/uploadedfile/direct-uploads/file/"
CHECK = "/admin/uploader/uploadedfile/direct-uploads/file/check/"
ADD = "/admin/uploader/uploadedfile/add/"
MiB = 1024 * 1024


class TestClientApi:
    """The signing views through Django's test client, logged in."""

    def __init__(self, client):
        self.client = client

    def post(self, url, body):
        response = self.client.post(url, json.dumps(body), content_type="application/json")
        return response.status_code, answer(response)

    def save(self, token):
        """Post the add form naming the upload ``token``, as the script does; return the answer."""
        return self.client.post(ADD, {"file-direct": token, "_save": "Save"})


class SessionApi:
    """The signing views through requests against a server at ``base``, logged in."""

    def __init__(self, session, base):
        self.session, self.base = session, base

    def token(self):
        """Return the CSRF token, as a page of the admin gives it to the script: once."""
        if "csrftoken" not in self.session.cookies:
            self.session.get(self.base + ADD, timeout=30)
        return self.session.cookies["csrftoken"]

    def post(self, url, body):
        response = self.session.post(
            self.base + url, json=body, headers={"X-CSRFToken": self.token()}, timeout=60
        )
        return response.status_code, answer(response)

    def save(self, token):
        return self.session.post(
            self.base + ADD,
            data={"csrfmiddlewaretoken": self.token(), "file-direct": token, "_save": "Save"},
            timeout=60,
        )


def answer(response):
    """Return the JSON of a view's answer, or {} for an error page."""
    is_json = response.headers.get("Content-Type") == "application/json"
    return response.json() if is_json else {}


def digest(algorithm, content):
    """Return the checksum ``algorithm`` ("sha256", "md5") of ``content`` in base64, as the
    script computes it."""
    return base64.b64encode(hashlib.new(algorithm, content).digest()).decode()


def fingerprint(content):
    """Return the SHA-256 of the first and last MiB of ``content``, as the script computes it."""
    return digest("sha256", content[:MiB] + content[max(MiB, len(content) - MiB) :])


def start(api, name, size, **more):
    """Start a direct upload; return the views' answer (``parts``, ``part_size``, ``checksum``,
    ``received``, ``urls``)."""
    status, started = api.post(START, {"name": name, "size": size, **more})
    assert status == 200, started
    assert started["direct"] is True, started
    return started


def part_of(started, content, number):
    size = started["part_size"]
    return content[(number - 1) * size : number * size]


def sign(api, started, content, numbers):
    """Sign ``numbers``, each with its checksum where the upload asks for one; return the
    answer (``urls``, ``headers``)."""
    algorithm = started["checksum"]
    parts = [
        {"number": n, algorithm: digest(algorithm, part_of(started, content, n))}
        if algorithm
        else n
        for n in numbers
    ]
    status, signed = api.post(started["urls"]["parts"], {"parts": parts})
    assert status == 200, signed
    return signed


def put(signed, number, part):
    """PUT ``part`` as part ``number`` with its signed URL and headers; return the response."""
    key = str(number)
    return requests.put(signed["urls"][key], data=part, headers=signed["headers"][key], timeout=60)


def send(api, started, content, numbers=None):
    """Sign every part (or ``numbers``) and PUT it to the storage, as the browser does."""
    numbers = numbers or list(range(1, started["parts"] + 1))
    signed = sign(api, started, content, numbers)
    for number in numbers:
        response = put(signed, number, part_of(started, content, number))
        assert response.status_code in (200, 201), response.text


def upload(api, name, content):
    """Make a whole direct upload of ``content``; return the token the form names it by."""
    started = start(api, name, len(content))
    send(api, started, content)
    status, completed = api.post(started["urls"]["complete"], {})
    assert status == 200, completed
    return completed["token"]
