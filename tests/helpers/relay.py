"""An S3-compatible store that refuses boto3's default checksums, as Backblaze B2 and other stores
do (django-storages #1482): a relay on loopback in front of a real S3 server that answers a
request carrying any checksum header with B2's error, and passes every other one through."""

import http.client
import http.server
import threading

REFUSED = ("x-amz-sdk-checksum-algorithm", "x-amz-checksum-", "x-amz-trailer")
ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>'
    "Unsupported header '{}' received for this API call.</Message></Error>"
)
# What the relay does not pass on: the connection's own headers.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


class ChecksumRefusingRelay:
    """A relay on 127.0.0.1 to the S3 server at ``upstream`` (``http://HOST:PORT``).

    ``refused`` lists the headers of the requests it refused.
    """

    def __init__(self, upstream):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RelayHandler)
        host, port = upstream.removeprefix("http://").split(":")
        self.server.upstream = (host, int(port))
        self.refused = self.server.refused = []
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RelayHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        refused = next((n for n in self.headers if n.lower().startswith(REFUSED)), None)
        body = read_body(self)
        if refused:
            self.server.refused.append(refused.lower())
            return answer(self, 400, ERROR.format(refused.lower()).encode())
        # The Host header as the client signed it: SeaweedFS checks signatures.
        headers = {n: v for n, v in self.headers.items() if n.lower() not in HOP_BY_HOP}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=60)
        try:
            connection.request(self.command, self.path, body, headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)
        return None

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay


def read_body(handler):
    """Return the request's body, whole, however it was sent; None for a request without one."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        body = bytearray()
        while size := int(handler.rfile.readline().split(b";")[0], 16):
            body += handler.rfile.read(size)
            handler.rfile.readline()
        handler.rfile.readline()
        return bytes(body)
    length = handler.headers.get("Content-Length")
    return handler.rfile.read(int(length)) if length else None


def answer(handler, status, content):
    handler.send_response(status)
    handler.send_header("Content-Type", "application/xml")
    handler.send_header("Content-Length", str(len(content)))
    handler.end_headers()
    handler.wfile.write(content)
