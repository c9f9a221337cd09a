"""The change hub: one per API process, it pushes the change feed to the process's subscriptions.

One dedicated connection to the primary LISTENs on `api.db.change_log.CHANNEL` (LISTEN is
refused on replicas, and a notification only says "something was written"). A notification, the
slow timer (`subscription_poll_seconds`, in case one never came) or a (re)opened listening
connection wakes the reader, which reads the durable feed from each subscription's position:
subscriptions standing at the same position (all those following the feed's end, usually) share
one read, and each gets the changes of its types in its queue. NOTIFY is only a hint: a change
is delivered because the feed holds it after the subscription's position, so a notification
lost while the listening connection was down loses nothing, and nothing is delivered twice.

The listening connection is pinged every `subscription_listener_ping_seconds`; one that dies
(or does not answer in that time) is closed, re-opened, and the feed read again from every
position. The hub runs while the process has subscriptions: the first starts it, the last
stops it (its tasks end and its connection closes).

Each delivery is charged to the subscription's key: its selection's cost as a query's (at least
1) per change delivered, debited once per read for all the subscriptions of a key together. A
subscription following the feed's end whose client takes its changes more slowly than they come
ends, past `subscription_queue_size` waiting changes, with SLOW_CONSUMER (one catching up from
an older cursor is read a page at a time as its client takes them: its backlog stays in the
feed); one whose budget is spent, or whose key was revoked, ends with RATE_LIMITED or
UNAUTHENTICATED. Each time the client is given the cursor of the last change it received, to
subscribe again from.
"""

import asyncio
import contextlib
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from api.codes import ErrorCode
from api.db.change_log import CHANNEL
from api.metrics import set_subscription_gauges
from api.security.access import Access, variable
from api.security.errors import AccessError
from api.security.keys import Principal
from api.settings import Settings
from api.store.changes import ChangePage, FeedPosition
from api.store.errors import StoreCursorExpiredError, StoreError
from api.store.reads import Store
from api.store.statements import UNAVAILABLE, Database

log = logging.getLogger(__name__)

RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)
"""Seconds between attempts to re-open the listening connection, the last repeated."""
LISTENER_NAME = "eventgraph listener"
"""The listening connection's application_name (with the process id), as pg_stat_activity shows."""


class SubscriptionEndedError(Exception):
    """Why a subscription stopped, with the cursor of the last change its client received."""

    def __init__(self, code: ErrorCode, message: str, cursor: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.cursor = cursor


class SubscriptionRefusedError(Exception):
    """A subscription the caps do not allow now; `settings` are what change the caps."""

    def __init__(self, message: str, settings: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.settings = settings


@dataclass(frozen=True)
class Ending:
    """The last item of an ended subscription's queue: its client takes what came before."""

    code: ErrorCode
    message: str


@dataclass(frozen=True)
class Delivered:
    """A change (a row of `changes`, its fields decoded) and its cursor."""

    row: dict[str, Any]
    cursor: str


@dataclass(eq=False)
class Subscription:
    """One subscription's place in the feed (`position`: read up to there) and its queue of
    changes not yet taken by its client."""

    principal: Principal
    connection: "LiveConnection"
    position: FeedPosition
    types: frozenset[str] | None
    cost: int
    """What each change delivered costs its key's budget."""
    received: str
    """The cursor of the last change the client took (where it stood at first without one):
    where it resumes."""
    queue: asyncio.Queue[Delivered | Ending] = field(default_factory=asyncio.Queue)
    behind: bool = False
    """The feed held more than its last read took: it is catching up from an older cursor."""

    async def next(self) -> Delivered:
        """The next change of its types; SubscriptionEndedError when the subscription was ended."""
        item = await self.queue.get()
        if isinstance(item, Ending):
            raise SubscriptionEndedError(item.code, item.message, self.received)
        self.received = item.cursor
        hub = self.connection.hub
        if self.behind and not hub.paused(self):
            hub.wake()  # room for the next page of its backlog
        return item


DELIVERY_COST: ContextVar[int] = ContextVar("delivery_cost", default=1)
"""What each change delivered to the subscription running in this task costs its key's budget:
its selection's cost as a query's (set by the WebSocket endpoint when the operation starts)."""


@dataclass(eq=False)
class LiveConnection:
    """One WebSocket connection: the process's hub and, once `connection_init` was accepted,
    who calls. Its identity is what the cap on subscriptions per connection counts."""

    hub: "ChangeHub"
    client_address: str | None
    principal: Principal | None = None
    authorization: str | None = None
    """What `connection_init` carried as Authorization: checked again before each delivery
    (through the key cache), so that a key revoked ends its subscriptions."""


class ChangeHub:
    """The process's listening connection, reader and subscriptions."""

    def __init__(
        self,
        settings: Settings,
        primary: Database,
        access: Access,
        dsn: str,
        *,
        reread_after_reconnect: bool = True,
    ) -> None:
        self.settings = settings
        self.primary = primary
        self.access = access
        self.dsn = dsn
        self.reread_after_reconnect = reread_after_reconnect
        """Off only in the test that shows the re-read is what loses nothing."""
        self.subscriptions: set[Subscription] = set()
        self.reads = 0
        """Feed reads made since start (one per position per wake)."""
        self.listening = False
        self._per_connection: Counter[Hashable] = Counter()
        self._per_bucket: Counter[str] = Counter()
        self._tail: FeedPosition | None = None
        self._wanted = asyncio.Event()
        self._lost = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        """The tasks of the hub while it runs."""
        self._running: set[asyncio.Task[None]] = set()
        """Its tasks not yet finished, those of a hub stopped included."""

    # Subscriptions.

    async def subscribe(
        self,
        connection: "LiveConnection",
        after: FeedPosition | None,
        types: Sequence[str] | None,
    ) -> Subscription:
        """A new subscription of an accepted connection from `after` (without one: from the
        feed's end as this process reads it); SubscriptionRefusedError past the caps."""
        principal = connection.principal
        assert principal is not None, "connection_init was accepted"
        self._check_caps(principal, connection)
        # Its place is taken before the first wait, so that the caps hold in arrival order.
        self._per_connection[connection] += 1
        self._per_bucket[principal.bucket] += 1
        try:
            position = after if after is not None else await self._end_of_feed()
        except BaseException:
            self._release(principal, connection)
            raise
        subscription = Subscription(
            principal,
            connection,
            position,
            frozenset(types) if types is not None else None,
            DELIVERY_COST.get(),
            received=position.cursor(),
        )
        self.subscriptions.add(subscription)
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._listen(), name="eventgraph change listener"),
                asyncio.create_task(self._read_on_wake(), name="eventgraph change reader"),
            ]
            for task in self._tasks:
                self._running.add(task)
                task.add_done_callback(self._finished)
        self._wanted.set()
        self._count()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget `subscription` (its client went away or it ended); the last one stops the
        hub. Safe to call twice."""
        if subscription not in self.subscriptions:
            return
        self.subscriptions.discard(subscription)
        self._release(subscription.principal, subscription.connection)
        if not self.subscriptions:
            self._tail = None
            for task in self._tasks:
                task.cancel()
            self._tasks = []
        self._count()

    async def stop(self) -> None:
        """End every subscription and the hub's tasks (the process is stopping)."""
        tasks = self._tasks
        for subscription in list(self.subscriptions):
            self._end(subscription, ErrorCode.SERVICE_UNAVAILABLE, "The server is stopping.")
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def tasks(self) -> int:
        """The hub's tasks not yet finished (none soon after its last subscription ended)."""
        return len(self._running)

    def _finished(self, task: "asyncio.Task[None]") -> None:
        self._running.discard(task)
        self._count()

    def _release(self, principal: Principal, connection: Hashable) -> None:
        self._per_connection -= Counter({connection: 1})
        self._per_bucket -= Counter({principal.bucket: 1})

    def _check_caps(self, principal: Principal, connection: Hashable) -> None:
        for held, cap, setting in (
            (self._per_connection[connection], self.settings.subscriptions_per_connection,
             "subscriptions_per_connection"),
            (self._per_bucket[principal.bucket], self.settings.subscriptions_per_key,
             "subscriptions_per_key"),
        ):  # fmt: skip
            if held >= cap:
                name = variable(setting)
                raise SubscriptionRefusedError(
                    f"This {setting.removeprefix('subscriptions_per_')} holds {held} "
                    f"subscriptions already, the most allowed ({name}).",
                    [name],
                )

    def _count(self) -> None:
        set_subscription_gauges(len(self.subscriptions), self.tasks, int(self.listening))

    async def _end_of_feed(self) -> FeedPosition:
        """Where a subscription without a cursor starts: with the others following the feed's
        end when there are some (so that they share reads), else just after what a snapshot of
        now saw."""
        if self._tail is not None:
            return self._tail
        async with self.primary.connection(access=True) as connection:
            snapshot = await connection.fetchval("SELECT pg_current_snapshot()::text")
        self._tail = FeedPosition.of_snapshot(snapshot)
        return self._tail

    def _end(self, subscription: Subscription, code: ErrorCode, message: str) -> None:
        subscription.queue.put_nowait(Ending(code, message))
        self.unsubscribe(subscription)

    # The listening connection.

    async def _listen(self) -> None:
        attempt = 0
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self.dsn,
                    timeout=self.settings.subscription_listener_ping_seconds,
                    server_settings={"application_name": f"{LISTENER_NAME} {os.getpid()}"},
                )
                self._lost.clear()
                connection.add_termination_listener(lambda _: self._lost.set())
                await connection.add_listener(CHANNEL, self._notified)
                self.listening = True
                self._count()
                attempt = 0
                if self.reread_after_reconnect:
                    # Notifications sent while no connection listened are lost; the feed is not.
                    self._wanted.set()
                await self._keep_alive(connection)
            except Exception as error:  # whatever failed, the process keeps listening
                log.warning("the change listener's connection failed: %r", error)
            finally:
                self.listening = False
                self._count()
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            attempt += 1

    async def _keep_alive(self, connection: asyncpg.Connection) -> None:
        """Returns when the connection is lost or a ping fails (raising)."""
        interval = self.settings.subscription_listener_ping_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._lost.wait()
            if self._lost.is_set() or connection.is_closed():
                log.warning("the change listener's connection was closed; re-opening it")
                return
            async with asyncio.timeout(interval):
                await connection.fetchval("SELECT 1")

    def _notified(self, *_: object) -> None:
        self.wake()

    # Reading the feed.

    async def _read_on_wake(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.subscription_poll_seconds):
                    await self._wanted.wait()
            self._wanted.clear()
            try:
                await self.read()
            except (StoreError, *UNAVAILABLE) as error:  # type: ignore[misc]
                # Positions did not move: the next wake (the timer at the latest) reads again.
                log.warning("reading the change feed failed: %r", error)
            except Exception:
                log.exception("reading the change feed failed unexpectedly")

    async def read(self) -> None:
        """Read the feed once for each position subscriptions stand at, and deliver."""
        groups: dict[FeedPosition, list[Subscription]] = defaultdict(list)
        for subscription in self.subscriptions:
            groups[subscription.position].append(subscription)
        tail_seen = False
        for position, members in groups.items():
            if any(self.paused(member) for member in members):
                continue
            try:
                page = await self._feed(position)
            except StoreCursorExpiredError as expired:
                for subscription in members:
                    self._end(subscription, ErrorCode.CURSOR_EXPIRED, str(expired))
                continue
            if page.has_next_page:
                self._wanted.set()
            batches: dict[Subscription, list[Delivered]] = {member: [] for member in members}
            for row, cursor in zip(page.rows, page.cursors, strict=True):
                for member in members:
                    if member.types is None or row["type"] in member.types:
                        batches[member].append(Delivered(row, cursor))
            await self._charge_and_deliver(batches)
            # An empty page moves the position too, up to the oldest transaction running:
            # subscriptions that started at different moments come to stand together.
            moved = FeedPosition.of_cursor(page.end_cursor) if page.end_cursor else position
            for subscription in members:
                subscription.position = moved
                subscription.behind = page.has_next_page
            if position == self._tail:
                self._tail, tail_seen = moved, True
        if not tail_seen:
            self._tail = None

    def paused(self, subscription: Subscription) -> bool:
        """Whether a subscription catching up waits for its client to take what it has: its
        backlog stays in the feed, not in memory. Following the feed's end, it is never paused,
        and a client slower than the changes comes to its queue's bound (SLOW_CONSUMER)."""
        bound = self.settings.subscription_queue_size
        room = bound - subscription.queue.qsize()
        return subscription.behind and room < min(self.settings.max_page_size, bound)

    def wake(self) -> None:
        """Read the feed again soon."""
        self._wanted.set()

    async def _feed(self, position: FeedPosition) -> ChangePage:
        self.reads += 1
        store = Store(self.primary, self.settings)
        return await store.changes(position, None, self.settings.max_page_size)

    async def _charge_and_deliver(self, batches: dict[Subscription, list[Delivered]]) -> None:
        by_bucket: dict[str, list[Subscription]] = defaultdict(list)
        for subscription, items in batches.items():
            if items:
                by_bucket[subscription.principal.bucket].append(subscription)
        for subscriptions in by_bucket.values():
            cost = sum(each.cost * len(batches[each]) for each in subscriptions)
            first = subscriptions[0]
            try:
                # The key again, as a request's would be: a revoked one ends its subscriptions.
                await self.access.principal(
                    first.connection.authorization, first.principal.client_address
                )
                await self.access.charge(first.principal, cost)
            except AccessError as refused:
                for subscription in subscriptions:
                    self._end(subscription, refused.code, refused.message)
                continue
            for subscription in subscriptions:
                self._deliver(subscription, batches[subscription])

    def _deliver(self, subscription: Subscription, items: list[Delivered]) -> None:
        if subscription not in self.subscriptions:
            return  # it ended (its client left) while the feed was read
        bound = self.settings.subscription_queue_size
        for item in items:
            if subscription.queue.qsize() >= bound:
                self._end(
                    subscription,
                    ErrorCode.SLOW_CONSUMER,
                    f"More than {bound} changes waited for this subscription's client "
                    f"({variable('subscription_queue_size')}): subscribe again from the cursor "
                    "given, and take changes faster or ask for fewer types.",
                )
                return
            subscription.queue.put_nowait(item)
