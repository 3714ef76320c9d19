"""A server process on loopback, started by a test and stopped when it is done with it."""

import os
import socket
import subprocess
import tempfile
import threading
import time


class LocalServer:
    """A command listening on 127.0.0.1:PORT, until stop().

    Its output goes to a temporary file, not a pipe: nobody reads a pipe while the tests run, and
    a server that logs every request (moto does) would hang once the pipe is full.
    """

    name = "server"

    def __init__(self, port, command, environ=None):
        self.port = port
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            command,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(environ or {})},
        )
        self._wait_until_listening()

    def _wait_until_listening(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"{self.name} exited: {self.log.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on port {self.port} in {timeout} s")

    def stop(self):
        """Stop the server and wait for it to exit."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class SilentServer:
    """A port on 127.0.0.1 that takes connections and requests and never answers, until close().

    What a storage behind a hung proxy or an overloaded server looks like to a client.
    """

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.connections.append(connection)  # kept open, read by nobody

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()
