"""A network receipt printer for tests: a real TCP server on 127.0.0.1 that keeps every
byte it receives and can misbehave on demand (refuse, stall, drop, stay silent).

Real-time status (DLE EOT n) answers one byte. Bits 1 and 4 are always 1 and bits 0
and 7 always 0, so an all-good answer is 0x12; per n the other bits mean:

* n=1 printer status: bit 2 drawer-kick connector pin 3 high, bit 3 offline,
  bit 5 waiting for online recovery, bit 6 paper-feed button pressed.
* n=2 offline cause: bit 2 cover open, bit 3 paper fed by the feed button,
  bit 5 printing stopped by paper end, bit 6 an error occurred.
* n=3 error cause: bit 2 recoverable error, bit 3 autocutter error,
  bit 5 unrecoverable error, bit 6 automatically recoverable error (head too hot).
* n=4 roll paper sensor: bits 2+3 paper near its end (0x1E), bits 5+6 paper out (0x72;
  printers that also see the near-end then answer 0x7E).

Like a real printer the fake answers DLE EOT wherever the three bytes appear, even
inside image data.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Callable, Mapping
from types import TracebackType

DLE_EOT = b"\x10\x04"
#: an idle printer with paper: online, no error, paper present
READY_STATUS: dict[int, int] = {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12}
PAPER_OK = 0x12
PAPER_NEAR_END = 0x1E
PAPER_OUT = 0x72
_RCVBUF = 4096  # small, so a stalled fake fills up quickly and the client's send blocks

StatusReply = Mapping[int, int] | bytes | int | None


class FakePrinter:
    """Use as ``with FakePrinter() as printer:``; ``printer.url`` is where to print."""

    def __init__(self, status_reply: StatusReply = READY_STATUS) -> None:
        self._lock = threading.Condition()
        self._received = bytearray()
        self._connections: list[bytearray] = []
        self._status: StatusReply = status_reply
        self._stalled = threading.Event()
        self._drop_after: int | None = None
        self._closed = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.port = 0
        self._listen()
        self.port = self._listener.getsockname()[1]  # type: ignore[union-attr]

    # -- public --------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def received(self) -> bytes:
        """Every byte received so far, over all connections."""
        with self._lock:
            return bytes(self._received)

    @property
    def connections(self) -> list[bytes]:
        """The bytes of each accepted connection, in the order they were accepted."""
        with self._lock:
            return [bytes(c) for c in self._connections]

    @property
    def status_reply(self) -> StatusReply:
        return self._status

    @status_reply.setter
    def status_reply(self, value: StatusReply) -> None:
        """A dict n -> status byte (no answer for an n it lacks), one byte for every n,
        or None: never answer, so the client's status query times out."""
        with self._lock:
            self._status = value

    def wait_for(self, what: int | Callable[[bytes], bool], timeout: float = 5.0) -> bool:
        """Wait until ``what`` bytes arrived (or the predicate on all bytes holds)."""

        def done() -> bool:
            data = bytes(self._received)
            return len(data) >= what if isinstance(what, int) else what(data)

        with self._lock:
            return self._lock.wait_for(done, timeout=timeout)

    def refuse(self) -> None:
        """Stop listening: new connections get ECONNREFUSED (open ones stay)."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
            self._wake()

    def accept_again(self) -> None:
        """Listen again on the same port after :meth:`refuse`."""
        if self._listener is None:
            self._listen()

    def stall(self) -> None:
        """Keep accepting but stop reading, so clients' sends block and time out."""
        self._stalled.set()

    def resume(self) -> None:
        self._stalled.clear()
        self._wake()

    def drop_after(self, n_bytes: int) -> None:
        """Reset (RST) the next connection once it has sent ``n_bytes``; the fake keeps
        exactly those bytes."""
        with self._lock:
            self._drop_after = n_bytes

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._stalled.clear()
        self.refuse()
        self._wake()
        for t in list(self._threads):
            t.join(timeout=2)
        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            with contextlib.suppress(OSError):
                s.close()
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> FakePrinter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- server --------------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"!")

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RCVBUF)  # inherited on accept
        sock.bind(("127.0.0.1", self.port))
        sock.listen(8)
        sock.setblocking(False)
        with self._lock:
            self._listener = sock
        self._start(self._accept_loop, sock)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="fake-printer")
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _drain_wake(self) -> None:
        with contextlib.suppress(OSError):
            while self._wake_r.recv(1024):
                pass

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._closed.is_set() and self._listener is listener:
            try:
                ready, _, _ = select.select([listener, self._wake_r], [], [], 0.2)
            except (OSError, ValueError):  # the listener was closed (refuse)
                return
            if self._wake_r in ready:
                self._drain_wake()
            if listener not in ready or self._listener is not listener:
                continue
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, OSError):
                continue
            conn.setblocking(True)
            with self._lock:
                index = len(self._connections)
                self._connections.append(bytearray())
                self._socks.append(conn)
                limit, self._drop_after = self._drop_after, None
            self._start(self._serve, conn, index, limit)

    def _serve(self, conn: socket.socket, index: int, limit: int | None) -> None:
        tail = b""  # the last bytes of the previous chunk, for a DLE EOT split in two
        try:
            while not self._closed.is_set():
                if self._stalled.is_set():
                    self._closed.wait(0.02)
                    continue
                ready, _, _ = select.select([conn], [], [], 0.05)
                if not ready:
                    continue
                want = 65536 if limit is None else min(65536, limit - len(self._connections[index]))
                chunk = conn.recv(want) if want > 0 else b""
                if not chunk and want > 0:
                    return  # the client closed
                with self._lock:
                    self._connections[index].extend(chunk)
                    self._received.extend(chunk)
                    status = self._status
                    self._lock.notify_all()
                for n in _status_requests(tail + chunk):
                    reply = _answer(status, n)
                    if reply is not None:
                        conn.sendall(reply)
                tail = (tail + chunk)[-2:]
                if limit is not None and len(self._connections[index]) >= limit:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return  # closing with linger 0 sends RST
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()


def _status_requests(data: bytes) -> list[int]:
    """The n of every complete DLE EOT n in ``data``."""
    found = []
    start = data.find(DLE_EOT)
    while start >= 0 and start + 2 < len(data):
        found.append(data[start + 2])
        start = data.find(DLE_EOT, start + 1)
    return found


def _answer(status: StatusReply, n: int) -> bytes | None:
    if status is None:
        return None
    if isinstance(status, int):
        return bytes([status])
    if isinstance(status, bytes):
        return status
    return bytes([status[n]]) if n in status else None
