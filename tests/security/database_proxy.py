"""A TCP hop in front of the tests' PostgreSQL, which a test takes down and brings back.

Down, it refuses new connections and cuts the established ones, as a PostgreSQL server that
stops does; back up, it listens on the same port again. Behind it is the real server (over its
Unix socket, or TCP when the tests use an external one): nothing about the database is faked,
only its availability is in the test's hands.
"""

import asyncio
import contextlib

from sqlalchemy.engine import URL

LOCALHOST = "127.0.0.1"
COPY_CHUNK = 65_536


class DatabaseProxy:
    def __init__(self, target: URL) -> None:
        socket_folder = target.query.get("host")
        self._unix_path = (
            f"{socket_folder}/.s.PGSQL.{target.port or 5432}"
            if isinstance(socket_folder, str) and socket_folder.startswith("/")
            else None
        )
        self._target = (target.host or LOCALHOST, target.port or 5432)
        self._database_url = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._streams: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> URL:
        """The database's URL through the proxy."""
        query = {name: value for name, value in self._database_url.query.items() if name != "host"}
        return self._database_url.set(host=LOCALHOST, port=self.port, query=query)

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        """Listen (on the port of the previous start, if any)."""
        self._server = await asyncio.start_server(self._forward, LOCALHOST, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse connections and cut those open."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._streams):
            writer.transport.abort()
        self._streams.clear()
        await self._server.wait_closed()
        self._server = None

    async def _forward(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        try:
            if self._unix_path is not None:
                server_in, server_out = await asyncio.open_unix_connection(self._unix_path)
            else:
                server_in, server_out = await asyncio.open_connection(*self._target)
        except OSError:
            client_out.transport.abort()
            return
        self._streams |= {client_out, server_out}
        await asyncio.gather(self._copy(client_in, server_out), self._copy(server_in, client_out))
        self._streams -= {client_out, server_out}

    @staticmethod
    async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await source.read(COPY_CHUNK):
                sink.write(chunk)
                await sink.drain()
        sink.transport.abort()
