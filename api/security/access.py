"""Who may run a request, which document it runs, how many at once, and what it is charged.

One `Access` per process, holding the key cache, the persisted queries and the in-flight
counts. The HTTP layer asks, in order: `principal` (UNAUTHENTICATED, FORBIDDEN), for a
mutation `author` (the admin scope), `document`
(persisted queries, trusted documents), `slot` (at most `max_concurrent_requests_per_client`
requests of one client in flight in this process: a flooding client waits on itself, not on the
others), and, once the query's cost is known, `charge` (the shared budget: RATE_LIMITED), or,
where reads go to the primary, `joined_debit`: the debit run last in the read's own statement,
which takes the actual cost.
"""

import ipaddress
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from api.charge import Charge, JoinedDebit
from api.security.budgets import (
    Debit,
    debit,
    debit_answer,
    debit_arguments,
    metered_statement,
)
from api.security.database import Queryable
from api.security.errors import ForbiddenError, RateLimitedError, UnauthenticatedError
from api.security.keys import ANONYMOUS, KeyAuthenticator, Principal, Scope, authorize
from api.security.persisted import PersistedQueries, registered_only
from api.settings import Settings
from api.write.service import Author

ANONYMOUS_AUTHOR = "anonymous (development)"
"""The change log's actor of a development caller without a key (production refuses it)."""


def charge_of(debit_: Debit, principal: Principal) -> Charge:
    """The charge a debit of `principal`'s budget made."""
    return Charge(
        cost=debit_.cost,
        limit=debit_.limit,
        remaining=debit_.remaining,
        reset_at=datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=debit_.reset_seconds),
        restore_per_second=principal.budget.restore_per_second,
        headers=debit_.headers(),
    )


class Access:
    def __init__(
        self, settings: Settings, primary: Queryable, *, reads_on_primary: bool = False
    ) -> None:
        self.settings = settings
        self.primary = primary
        """Where keys, documents and budgets live: the primary, never a replica."""
        self.reads_on_primary = reads_on_primary
        """Whether reads go to the primary too: then a debit may join the read's statement."""
        self.keys = KeyAuthenticator(settings)
        self.persisted = PersistedQueries(settings)
        self._in_flight: dict[str, int] = {}

    async def principal(self, authorization: str | None, client_address: str | None) -> Principal:
        """The caller, allowed to read; UnauthenticatedError or ForbiddenError otherwise."""
        principal = await self.keys.principal_for_request(
            self.primary, authorization, client_address
        )
        authorize(principal, Scope.READ)
        return principal

    def author(self, principal: Principal) -> Author:
        """Who `principal` writes as: a key with the admin scope, under its name; in
        development, an anonymous caller too. UnauthenticatedError or ForbiddenError otherwise."""
        if principal.is_anonymous:
            if self.settings.is_development:
                return Author(ANONYMOUS_AUTHOR, ANONYMOUS)
            raise UnauthenticatedError("Mutations need an API key with the admin scope.")
        if not principal.allows(Scope.ADMIN):
            raise ForbiddenError(
                f"The key {principal.name!r} may read only: mutations need the admin scope."
            )
        return Author(principal.name, str(principal.key_id))

    async def document(
        self, principal: Principal, query: str | None, extensions: Mapping[str, object] | None
    ) -> str:
        """The document text the request runs (its own, or a persisted one)."""
        return await self.persisted.resolve(
            self.primary,
            query,
            extensions,
            registered_only=registered_only(self.settings, principal),
        )

    @asynccontextmanager
    async def slot(self, principal: Principal) -> AsyncIterator[Callable[[], bool]]:
        """A place among the client's requests in flight; RATE_LIMITED when it has none. It
        yields whether the client has, at the time asked, no other request in flight."""
        bucket = principal.bucket
        in_flight = self._in_flight.get(bucket, 0)
        if in_flight >= self.settings.max_concurrent_requests_per_client:
            setting = variable("max_concurrent_requests_per_client")
            raise RateLimitedError(
                f"More than {self.settings.max_concurrent_requests_per_client} requests of this "
                f"client are running: wait for one to finish (the cap is {setting}).",
                headers={"Retry-After": "1"},
                settings=[setting],
            )
        self._in_flight[bucket] = in_flight + 1
        try:
            yield lambda: self._in_flight.get(bucket) == 1
        finally:
            left = self._in_flight[bucket] - 1
            if left:
                self._in_flight[bucket] = left
            else:
                del self._in_flight[bucket]

    def unmetered(self, principal: Principal) -> bool:
        """Whether `principal` is the developer at the machine, charged nothing: an anonymous
        caller on the loopback address, where `unmetered_loopback` is on (development)."""
        if not (principal.is_anonymous and self.settings.unmetered_loopback_enabled):
            return False
        try:
            address = ipaddress.ip_address(principal.client_address or "")
        except ValueError:
            return False
        mapped = getattr(address, "ipv4_mapped", None)
        return (mapped or address).is_loopback

    async def charge(self, principal: Principal, cost: int) -> Charge:
        """Debit `cost` from the client's budget, shared by every process on the primary;
        RateLimitedError (with the rate-limit headers, and the settings that change the budget)
        when the budget does not hold it. An unmetered caller is charged nothing, without a
        statement: its budget stays full."""
        if self.unmetered(principal):
            budget = principal.budget
            full = budget.capacity
            now = datetime.now(UTC).replace(microsecond=0)
            return Charge(cost, full, full, now, budget.restore_per_second, {})
        answer = await debit(self.primary, principal.bucket, principal.budget, cost)
        return self._settled(principal, answer)

    def joined_debit(self, principal: Principal) -> JoinedDebit | None:
        """The debit of `principal`'s budget to run in its read's own statement, when reads go
        to the primary (where budgets live) and the caller is metered; None otherwise (the
        debit is then a statement of its own, `charge`)."""
        if not self.reads_on_primary or self.unmetered(principal):
            return None
        bucket, budget = principal.bucket, principal.budget
        return JoinedDebit(
            statement=metered_statement,
            arguments=lambda cost: debit_arguments(bucket, budget, cost),
            settle=lambda cost, verdict: self._settled(
                principal, debit_answer(budget, cost, verdict)
            ),
        )

    def _settled(self, principal: Principal, answer: Debit) -> Charge:
        """The charge of a granted debit; RateLimitedError (with the rate-limit headers, and
        the settings that change the budget) for a refused one."""
        if not answer.allowed:
            wait = answer.retry_after_seconds
            settings = budget_settings(principal)
            message = (
                f"This query costs {answer.cost}; the budget holds {answer.remaining} of "
                f"{answer.limit} points now"
                + (f" and will hold enough in {wait} s" if wait is not None else "")
                + f". {budget_advice(principal)}"
            )
            raise RateLimitedError(message, headers=answer.headers(), settings=settings)
        return charge_of(answer, principal)


def variable(setting: str) -> str:
    """The environment variable of a setting."""
    assert setting in Settings.model_fields, setting
    return f"EVENTGRAPH_{setting.upper()}"


def budget_settings(principal: Principal) -> list[str]:
    """What changes `principal`'s budget: the environment variables, and for a key the
    options of `eventgraph keys create` that give a key a budget of its own."""
    if principal.is_anonymous:
        fields = ("anonymous_cost_budget", "anonymous_budget_restore_per_second")
        return [*map(variable, fields), variable("unmetered_loopback")]
    fields = ("key_budget_capacity", "key_budget_restore_per_second")
    return [*map(variable, fields), "eventgraph keys create --budget-capacity --budget-restore"]


def budget_advice(principal: Principal) -> str:
    if principal.is_anonymous:
        capacity, restore, loopback = budget_settings(principal)
        return (
            f"Anonymous budgets are set by {capacity} and {restore}; {loopback} (on in "
            "development) charges nothing on the loopback address. Or send an API key."
        )
    capacity, restore, command = budget_settings(principal)
    return (
        f"This key's budget is its own (`{command}`) or, unset, {capacity} and {restore}: "
        "ask the operator for a larger one."
    )
