"""The HTTP requests this process sends to S3 and Azure, counted where boto3 and the Azure SDK
hand them to the network: how many bytes went each way, and for which operations."""

from typing import NamedTuple

import botocore.httpsession
from azure.core.pipeline.transport import RequestsTransport


class Request(NamedTuple):
    method: str
    url: str
    headers: dict
    sent: int
    received: int


class Traffic(list):
    """The requests made since it was started, in order."""

    def bytes(self):
        """Return how many bytes of content went out and came back, in all."""
        return sum(request.sent + request.received for request in self)

    def with_header(self, name):
        """Return the requests that carried the header ``name`` (case ignored)."""
        name = name.lower()
        return [request for request in self if name in {key.lower() for key in request.headers}]


def length(headers, method="GET"):
    """The Content-Length in ``headers``: what a request or its answer carried (the answer to a
    HEAD request carries nothing, whatever its Content-Length says)."""
    if method == "HEAD":
        return 0
    for name, value in headers.items():
        if name.lower() == "content-length":
            return int(value)
    return 0


def record_traffic(monkeypatch):
    """Return a Traffic that records every request boto3 and the Azure SDK send from now on
    (until ``monkeypatch`` undoes it)."""
    traffic = Traffic()
    s3_send, azure_send = botocore.httpsession.URLLib3Session.send, RequestsTransport.send

    def send_to_s3(session, request):
        response = s3_send(session, request)
        headers = dict(request.headers)
        received = length(response.headers, request.method)
        traffic.append(Request(request.method, request.url, headers, length(headers), received))
        return response

    def send_to_azure(transport, request, **kwargs):
        response = azure_send(transport, request, **kwargs)
        headers = dict(request.headers)
        received = length(response.headers, request.method)
        traffic.append(Request(request.method, request.url, headers, length(headers), received))
        return response

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", send_to_s3)
    monkeypatch.setattr(RequestsTransport, "send", send_to_azure)
    return traffic
