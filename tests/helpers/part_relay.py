"""A relay on loopback in front of a storage server, for the browser's direct uploads: it counts
the bytes of every part a browser PUTs (those of requests cut short too: what the browser sent),
and can alter one byte of one part on its way, as a faulty network or proxy would.

Give the storage's DSN the relay's endpoint: the browser then sends its parts through it, and the
server its own requests. The Host header goes on as the client signed it (SeaweedFS and Azurite
check signatures).
"""

import base64
import http.client
import http.server
import threading
from urllib.parse import parse_qs, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}
CHUNK = 256 * 1024


class PartRelay:
    """A relay on 127.0.0.1 to the server at ``upstream`` (``http://HOST:PORT``).

    ``received`` is the bytes of the parts PUT so far; ``flip(number)`` alters one byte of the
    next PUT of part ``number`` (S3's ``partNumber``, Azure's block number); ``flipped`` lists
    the parts altered, ``answers`` the status of each PUT, in order, as ``(number, status)``.
    """

    def __init__(self, upstream):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RelayHandler)
        self.server.daemon_threads = True
        host, port = urlsplit(upstream).hostname, urlsplit(upstream).port
        self.server.relay = self
        self.upstream = (host, port)
        self.lock = threading.Lock()
        self.received = 0
        self.to_flip = set()
        self.flipped = []
        self.answers = []
        # While true, each PUT is cut before an answer: the browser sees the network fail.
        self.cut = False
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def flip(self, number):
        self.to_flip.add(number)

    def count(self, size):
        with self.lock:
            self.received += size

    def reset(self):
        with self.lock:
            self.received = 0

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def part_number(path):
    """Return the number of the part a PUT's path sends, or None."""
    query = parse_qs(urlsplit(path).query)
    if "partNumber" in query:
        return int(query["partNumber"][0])
    if "blockid" in query:
        block = base64.b64decode(query["blockid"][0]).decode()
        return int(block.split("-")[0]) if block[:1].isdigit() else None
    return None


class RelayHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        relay = self.server.relay
        if relay.cut and self.command == "PUT":
            self.close_connection = True
            return
        number = part_number(self.path) if self.command == "PUT" else None
        flip = number is not None and number in relay.to_flip
        if flip:
            relay.to_flip.discard(number)
            relay.flipped.append(number)
        headers = {n: v for n, v in self.headers.items() if n.lower() not in HOP_BY_HOP}
        length = int(self.headers.get("Content-Length") or 0)
        connection = http.client.HTTPConnection(*relay.upstream, timeout=120)
        try:
            connection.putrequest(
                self.command, self.path, skip_host=True, skip_accept_encoding=True
            )
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            left, first = length, True
            while left:
                chunk = self.rfile.read(min(CHUNK, left))
                if not chunk:  # the browser stopped sending: nothing goes on
                    self.close_connection = True
                    return
                left -= len(chunk)
                if self.command == "PUT":
                    relay.count(len(chunk))
                if flip and first and chunk:
                    chunk = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
                first = False
                connection.send(chunk)
            response = connection.getresponse()
            content = response.read()
        except OSError:
            self.close_connection = True
            return
        finally:
            connection.close()
        if number is not None:
            relay.answers.append((number, response.status))
        self.send_response(response.status, response.reason)
        # A HEAD's answer says the length of what a GET would carry.
        kept = HOP_BY_HOP if self.command == "HEAD" else HOP_BY_HOP | {"content-length"}
        for name, value in response.getheaders():
            if name.lower() not in kept:
                self.send_header(name, value)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_OPTIONS = relay
