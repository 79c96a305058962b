"""Loopback ports for tests that start real servers."""

from __future__ import annotations

import contextlib
import socket
import threading


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it, so parallel runs do not collide)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LateServer:
    """A server that comes up late: from `start()` on, it listens on `port` and relays every connection
    to `target` (a real server), so a client can be pointed at it before it exists."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self.target = target
        self._listener: socket.socket | None = None
        self._closed = threading.Event()

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def start_after(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self.start)
        timer.daemon = True
        timer.start()
        return timer

    def stop(self) -> None:
        self._closed.set()
        if self._listener is not None:
            self._listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while not self._closed.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
