"""Ingest syslog from units: RFC 5424 and RFC 3164 over UDP and TCP (RFC 6587 framing, TLS).

Messages are normalised as they arrive (``monitor/events.py``) and stored in batches (every
``flush_after`` seconds or ``batch`` events) off the event loop. Syslog has no acknowledgement:
a listener killed before a commit loses the events of that last batch (at most ``flush_after``
seconds of them). Units that must not lose an event send over MQTT or HTTP, where the
acknowledgement follows the commit (docs/monitoring.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from soupwatch.model.telemetry import DeviceEvent, RejectedEvent, Transport
from soupwatch.monitor.events import MAX_MESSAGE, event_from_syslog, octet_frames, reject
from soupwatch.monitor.ingestion import ingest
from soupwatch.monitor.mqtt import IngestStats
from soupwatch.store.db import Store


@dataclass(slots=True)
class SyslogOptions:
    """Where to listen (``None``: that transport is off) and how to batch."""

    host: str = "127.0.0.1"
    udp_port: int | None = 5514
    tcp_port: int | None = 5514
    tls: ssl.SSLContext | None = None
    """Serve TCP over TLS (RFC 5425) with this server context."""
    batch: int = 2000
    flush_after: float = 0.05
    udp_buffer: int = 4 << 20
    """Receive buffer asked for the UDP socket (the kernel caps it at ``net.core.rmem_max``):
    datagrams arriving while a batch is stored wait there instead of being dropped."""


class SyslogIngester:
    """UDP and TCP syslog listeners sharing one batcher."""

    def __init__(
        self,
        store: Store,
        options: SyslogOptions,
        *,
        on_batch: Callable[[IngestStats], None] | None = None,
    ) -> None:
        self.store = store
        self.options = options
        self.stats = IngestStats()
        self._on_batch = on_batch
        self._pending: list[DeviceEvent | RejectedEvent] = []
        self._messages = 0
        self._lines = 0
        """Lines taken since the start: part of each line's key (identical lines, two events)."""
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.ports: dict[str, int] = {}
        """The bound ports (``udp``/``tcp``), known once :meth:`serve` has started."""
        self.ready = asyncio.Event()

    def _take(self, raw: bytes, received: datetime | None = None) -> None:
        self._lines += 1
        self._pending.append(event_from_syslog(raw, received or datetime.now(UTC), nth=self._lines))
        self._messages += 1
        if len(self._pending) >= self.options.batch:
            self._wake.set()

    async def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        messages, self._messages = self._messages, 0
        recorded = await asyncio.to_thread(ingest, self.store, batch, datetime.now(UTC))
        self.stats.add(messages, recorded)
        if self._on_batch is not None:
            self._on_batch(self.stats)

    async def _flusher(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.options.flush_after)
            self._wake.clear()
            await self._flush()
        await self._flush()

    async def _tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = bytearray()
        try:
            while chunk := await reader.read(65536):
                buffer += chunk
                received = datetime.now(UTC)  # one receipt time for the frames of one read
                try:
                    for frame in octet_frames(buffer):
                        self._take(frame, received)
                except ValueError as err:  # a broken stream: say why and drop the connection
                    self._pending.append(reject(Transport.SYSLOG, str(err), bytes(buffer[:200])))
                    return
        except (ConnectionError, ssl.SSLError):
            return
        finally:
            writer.close()

    def _udp_socket(self) -> socket.socket:
        host, port = self.options.host, self.options.udp_port
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        udp = socket.socket(family, kind, proto)
        try:
            with contextlib.suppress(OSError):
                udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.options.udp_buffer)
            udp.bind(addr)
            udp.setblocking(False)
        except OSError:
            udp.close()
            raise
        return udp

    def _udp_ready(self, udp: socket.socket) -> None:
        """Take every datagram waiting (up to one batch): one wake-up for many lines, not one
        each as asyncio's datagram transport does."""
        received = datetime.now(UTC)
        for _ in range(self.options.batch):
            try:
                data = udp.recv(MAX_MESSAGE + 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. an ICMP error reported on the socket: not a line
                return
            self._take(data, received)

    async def serve(self) -> IngestStats:
        """Listen until :meth:`stop`; returns the totals."""
        loop = asyncio.get_running_loop()
        servers: list[asyncio.AbstractServer] = []
        sockets: list[socket.socket] = []
        flusher = asyncio.create_task(self._flusher())
        try:
            if self.options.udp_port is not None:
                udp = self._udp_socket()
                loop.add_reader(udp, self._udp_ready, udp)
                sockets.append(udp)
                self.ports["udp"] = udp.getsockname()[1]
            if self.options.tcp_port is not None:
                server = await asyncio.start_server(
                    self._tcp,
                    self.options.host,
                    self.options.tcp_port,
                    ssl=self.options.tls,
                    limit=1 << 20,
                )
                servers.append(server)
                self.ports["tcp"] = server.sockets[0].getsockname()[1]
            self.ready.set()
            await self._stopping.wait()
        finally:
            for u in sockets:
                loop.remove_reader(u)
                u.close()
            for s in servers:
                s.close()
                await s.wait_closed()
            self._stopping.set()
            await flusher
        return self.stats

    def stop(self) -> None:
        """Stop listening after storing what is held (call from the event loop's thread)."""
        self._stopping.set()
