"""The per-request context of Strawberry's execution: settings, the request's Store, its loaders.

DataLoaders are made on first use, one per declaration and argument set (`schema.fields.
loader_for`), so a request builds only those its query needs.
"""

from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from api.settings import Settings
from api.store.reads import Store
from api.subscriptions.hub import LiveConnection
from api.write.service import Author, Writer


@dataclass
class RequestContext:
    """What every resolver gets as `info.context` for one request."""

    settings: Settings
    store: Store
    request_id: str
    rate_limit: dict[str, Any] = field(default_factory=dict)
    """The numbers `Query.rateLimit` answers (limit, cost, remaining, reset_at), set before
    execution by the operation."""
    loaders: dict[Any, DataLoader[Any, Any]] = field(default_factory=dict)
    writer: Writer | None = None
    """Runs the mutations' writes (on the primary)."""
    author: Author | None = None
    """Who the request writes as; None for a caller that may not write."""
    live: LiveConnection | None = None
    """A WebSocket connection's: its caller and the process's change hub (subscriptions)."""
    connection_params: dict[str, Any] | None = None
    """A WebSocket connection's `connection_init` payload (Strawberry sets it)."""


Info = strawberry.Info[RequestContext, None]
