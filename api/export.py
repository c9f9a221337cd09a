"""GET /export: the bulk export for partners, NDJSON streamed from one snapshot.

`types` (a comma-separated list of EVENT, STATEMENT, PARTICIPANT, TREATY, TOPIC, SOURCE; all of
them when absent) chooses what is exported; `after` (a line's token) resumes after that line.
The caller is checked as /graphql checks it (a key with the read scope, or anonymous where
anonymous reads are allowed) and charged `cost_of(lines)`, batch by batch, before each batch is
sent. The body is gzip when the client accepts it. The lines are `api.store.export`'s; the last
one is `{"cursor": <feed cursor>}`. A stream cut short by an error ends with an error line
(`{"errors": [...]}`) instead: resume with the last line's `after`.

A client that goes away ends the stream: the transaction is rolled back and the connection goes
back to the pool at once (the response watches for the disconnect, not only for a failed send).
"""

import asyncio
import logging
import math
import time
import zlib
from collections.abc import Sequence
from contextlib import aclosing, suppress

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from api.codes import ErrorCode
from api.logs import RequestFields
from api.metrics import OperationKind, record_request
from api.security.access import Access
from api.security.errors import AccessError
from api.security.keys import Principal
from api.store.entities import Entity
from api.store.errors import StoreError, StoreInputError
from api.store.export import EXPORT_ORDER, ExportPosition, export_snapshot
from api.store.statements import Database
from schema.errors import MESSAGES, code_of_exception

NDJSON = "application/x-ndjson"
BATCH_LINES = 1_000
"""Lines fetched from the cursor, charged and sent at a time."""
LINES_PER_POINT = 100
"""An export costs one point per this many lines (rounded up), and at least one."""
GZIP_LEVEL = 5

log = logging.getLogger(__name__)


def cost_of(lines: int) -> int:
    """What sending `lines` lines costs."""
    return math.ceil(lines / LINES_PER_POINT)


class ExportInputError(ValueError):
    """`types` or `after` that cannot be exported: 400, BAD_USER_INPUT."""


def chosen_types(text: str | None) -> tuple[Entity, ...]:
    """The types a `types` parameter names, in export order; all of them when absent."""
    if text is None:
        return EXPORT_ORDER
    names = [name.strip() for name in text.split(",")]
    known = {entity.value for entity in Entity}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        listed = ", ".join(entity.value for entity in EXPORT_ORDER)
        raise ExportInputError(
            f"`types` names unknown types ({', '.join(map(repr, unknown))}): "
            f"give a comma-separated list of {listed}."
        )
    return tuple(entity for entity in EXPORT_ORDER if entity.value in names)


def resume_position(after: str | None, types: str | None) -> ExportPosition | None:
    """The position `after` names; its types must be the ones asked, when `types` is given."""
    if after is None:
        return None
    try:
        position = ExportPosition.of_token(after)
    except StoreInputError:
        raise ExportInputError(
            "`after` is not the `after` of a line of an export: resume with the last line's."
        ) from None
    if types is not None and set(chosen_types(types)) != set(position.types):
        raise ExportInputError(
            "`types` differs from the export `after` continues: leave it out, or give the same."
        )
    return position


def wants_gzip(accept_encoding: str | None) -> bool:
    """Whether Accept-Encoding takes gzip (with a weight above zero)."""
    for item in (accept_encoding or "").split(","):
        coding, *parameters = (part.strip().lower() for part in item.split(";"))
        if coding not in ("gzip", "x-gzip"):
            continue
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                with suppress(ValueError):
                    return float(value) > 0
                return False
        return True
    return False


def error_body(message: str, code: ErrorCode) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code.value}}]})


def refusal(status: int, message: str, code: ErrorCode, headers: dict[str, str]) -> Response:
    return Response(error_body(message, code), status, headers, "application/json")


class Exporter:
    """/export for a process: the reads' database and the access control /graphql uses."""

    def __init__(self, database: Database, access: Access) -> None:
        self.database = database
        self.access = access

    async def __call__(self, request: Request) -> Response:
        started = time.perf_counter()
        response = await self._answer(request, started)
        if not isinstance(response, ExportResponse):
            codes = request.state.log.get("codes", [])
            seconds = time.perf_counter() - started
            record_request(OperationKind.EXPORT, response.status_code, seconds, error_codes=codes)
        return response

    async def _answer(self, request: Request, started: float) -> Response:
        fields: RequestFields = {"operation": "export"}
        request.state.log = fields
        types_parameter = request.query_params.get("types")
        try:
            resume = resume_position(request.query_params.get("after"), types_parameter)
            types = resume.types if resume is not None else chosen_types(types_parameter)
            client = request.client.host if request.client else None
            principal = await self.access.principal(request.headers.get("authorization"), client)
        except ExportInputError as error:
            fields["codes"] = [ErrorCode.BAD_USER_INPUT.value]
            return refusal(400, str(error), ErrorCode.BAD_USER_INPUT, {})
        except AccessError as error:
            fields["codes"] = [error.code.value]
            return refusal(error.status, error.message, error.code, error.headers)
        except StoreError as error:
            code = code_of_exception(error)
            fields["codes"] = [code.value]
            return refusal(503, MESSAGES[code], code, {"Retry-After": "1"})
        fields["key"] = principal.name
        if request.method == "HEAD":
            # Starlette answers HEAD on every GET route: a HEAD is told what a GET would be
            # given, without the export being read or charged.
            return Response(status_code=200, media_type=NDJSON)
        gzip = wants_gzip(request.headers.get("accept-encoding"))
        return ExportResponse(self, principal, types, resume, gzip, fields, started)


class ExportResponse(Response):
    """The stream, run by the server once the endpoint returned it."""

    def __init__(
        self,
        exporter: Exporter,
        principal: Principal,
        types: Sequence[Entity],
        resume: ExportPosition | None,
        gzip: bool,
        fields: RequestFields,
        started: float,
    ) -> None:
        super().__init__(media_type=NDJSON)
        self.started = started
        self.exporter = exporter
        self.principal = principal
        self.types = types
        self.resume = resume
        self.gzip = gzip
        self.fields = fields

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = _Body(send, self.gzip)
        try:
            await self._until_done_or_gone(receive, body)
        finally:
            # A stream the client left before its start counts as 499, as proxies log it.
            status = body.status if body.status is not None else 499
            record_request(
                OperationKind.EXPORT,
                status,
                time.perf_counter() - self.started,
                cost=self.fields.get("cost"),
                error_codes=self.fields.get("codes", []),
            )

    async def _until_done_or_gone(self, receive: Receive, body: "_Body") -> None:
        streaming = asyncio.ensure_future(self._stream(body))
        disconnected = asyncio.ensure_future(_disconnect(receive))
        try:
            await asyncio.wait({streaming, disconnected}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            disconnected.cancel()
            if not streaming.done():
                # The client went away (or the server stops): end the stream, rollback included.
                streaming.cancel()
                with suppress(asyncio.CancelledError):
                    await streaming
        if not streaming.cancelled():
            streaming.result()

    async def _stream(self, body: "_Body") -> None:
        access, principal, fields = self.exporter.access, self.principal, self.fields
        cost = 0
        try:
            async with (
                access.slot(principal),
                export_snapshot(self.exporter.database, self.types, self.resume) as snapshot,
                aclosing(snapshot.batches(BATCH_LINES)) as batches,
            ):
                async for lines in batches:
                    charge = await access.charge(principal, cost_of(len(lines)))
                    cost += charge.cost
                    fields["cost"] = cost
                    if not body.started:
                        await body.start(200, dict(charge.headers))
                    await body.write(b"".join(line.encode() + b"\n" for line in lines))
                if not body.started:
                    # Nothing to export: the request still costs its one point.
                    charge = await access.charge(principal, 1)
                    fields["cost"] = charge.cost
                    await body.start(200, dict(charge.headers))
                await body.write(orjson.dumps({"cursor": snapshot.feed_cursor}) + b"\n")
        except AccessError as error:
            await self._fail(body, error.status, error.message, error.code, error.headers)
            return
        except StoreError as error:
            code = code_of_exception(error)
            status = 504 if code is ErrorCode.TIMEOUT else 503
            await self._fail(body, status, MESSAGES[code], code, {"Retry-After": "1"})
            return
        await body.end()

    async def _fail(
        self, body: "_Body", status: int, message: str, code: ErrorCode, headers: dict[str, str]
    ) -> None:
        """A refusal before the first line; after it, an error line ending the stream."""
        self.fields["codes"] = [code.value]
        if not body.started:
            await body.start(status, headers, "application/json")
            await body.write(error_body(message, code))
        else:
            log.warning("export cut short: %s", message)
            await body.write(error_body(message, code) + b"\n")
        await body.end()


class _Body:
    """The response as it is sent: its start, then chunks, gzip-compressed when asked."""

    def __init__(self, send: Send, gzip: bool) -> None:
        self.send = send
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if gzip else None
        self.started = False
        self.status: int | None = None

    async def start(self, status: int, headers: dict[str, str], media_type: str = NDJSON) -> None:
        headers = {**headers, "content-type": media_type, "cache-control": "no-store"}
        if self.compressor is not None:
            headers.update({"content-encoding": "gzip", "vary": "Accept-Encoding"})
        raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        await self.send({"type": "http.response.start", "status": status, "headers": raw})
        self.started = True
        self.status = status

    async def write(self, data: bytes) -> None:
        if self.compressor is not None:
            # zlib lets go of the GIL: the event loop serves others while a batch compresses.
            data = await asyncio.to_thread(self._compressed, data)
        if data:
            await self.send({"type": "http.response.body", "body": data, "more_body": True})

    def _compressed(self, data: bytes) -> bytes:
        """`data` compressed and flushed: the client gets each batch's lines as it is sent,
        not when deflate's window happens to fill."""
        assert self.compressor is not None
        return self.compressor.compress(data) + self.compressor.flush(zlib.Z_SYNC_FLUSH)

    async def end(self) -> None:
        tail = self.compressor.flush() if self.compressor is not None else b""
        await self.send({"type": "http.response.body", "body": tail, "more_body": False})


async def _disconnect(receive: Receive) -> None:
    """Returns when the client has gone away."""
    message: Message = await receive()
    while message["type"] != "http.disconnect":
        message = await receive()
