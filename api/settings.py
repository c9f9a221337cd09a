"""One Settings object for the whole service, from EVENTGRAPH_* variables, checked at start-up."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


PRODUCTION_METRICS_ADDRESS = "127.0.0.1:9464"
"""Where a production process serves /metrics unless told otherwise: loopback, a port of its own
(9464, the Prometheus exporters' usual), never the API's public port."""


class Settings(BaseSettings):
    """Every knob of the service. Each field is an environment variable prefixed EVENTGRAPH_."""

    model_config = SettingsConfigDict(env_prefix="EVENTGRAPH_", frozen=True, extra="ignore")

    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="production turns off introspection, the IDE, field suggestions, anonymous "
        "reads, CORS and non-persisted GET queries, unless each is set explicitly.",
    )
    database_url: str | None = Field(
        default=None,
        description="A PostgreSQL >= 15 to use; unset, an embedded server is started in data_dir.",
    )
    embedded_database: bool = Field(
        default=True,
        description="Without database_url, start the embedded PostgreSQL in data_dir; false "
        "(as in the Docker image), refuse to start instead.",
    )
    database_wait_seconds: float = Field(
        default=0,
        ge=0,
        le=3_600,
        description="How long a command keeps retrying, at start, a database_url it cannot reach "
        "(refused, unknown host, no answer, still starting); 0: it tries once and says why.",
    )
    read_database_urls: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Read replicas of database_url, comma-separated: reads are spread over "
        "them; keys, budgets and writes stay on the primary.",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / ".data" / "postgres",
        description="Where the embedded PostgreSQL keeps its files.",
    )
    fixtures_dir: Path = Field(
        default=PROJECT_ROOT / "fixtures", description="The seed corpus `make run` loads."
    )
    migrations_dir: Path = Field(
        default=PROJECT_ROOT / "alembic", description="The Alembic migrations."
    )

    host: str = Field(default="127.0.0.1", description="The address `serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="The port `serve` listens on.")

    pool_size: int = Field(default=10, ge=1, le=200, description="Connections per process.")
    pool_reserved_connections: int = Field(
        default=2,
        ge=0,
        description="Connections of each pool kept from a flood: taken only by the access "
        "statements (keys, budgets) and by requests of a client with no other request in "
        "flight, once the others are all in use. At least one connection stays shared.",
    )
    pool_timeout_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How long a request waits for a free connection before a 503.",
    )
    statement_timeout_ms: int = Field(
        default=5_000, ge=100, description="PostgreSQL's statement_timeout for the API's reads."
    )
    request_timeout_seconds: float = Field(
        default=10.0, gt=0, description="The most one GraphQL request may take, whole (TIMEOUT)."
    )

    default_page_size: int = Field(
        default=20, ge=1, description="Items of a connection page when neither first nor last."
    )
    max_page_size: int = Field(
        default=100, ge=1, description="The most first or last may ask (more: BAD_USER_INPUT)."
    )
    max_depth: int = Field(default=10, ge=1, description="The deepest selection nesting.")
    max_aliases: int = Field(default=15, ge=1, description="The most aliases in a document.")
    max_tokens: int = Field(default=2_000, ge=1, description="The most tokens in a document.")
    max_directives: int = Field(default=50, ge=1, description="The most directives in a document.")
    max_body_bytes: int = Field(
        default=1_000_000, ge=1_024, description="The largest request body (413 beyond)."
    )
    max_filter_depth: int = Field(
        default=12,
        ge=2,
        description="The most input objects one filter may nest, its own included.",
    )
    max_filter_conditions: int = Field(
        default=100,
        ge=1,
        description="The most conditions (an operator and its operand) the filters of one "
        "request may hold together.",
    )
    max_query_cost: int = Field(
        default=10_000,
        ge=1,
        description="The most a query may cost: the lists it reads, each once per parent object.",
    )
    max_query_nodes: int = Field(
        default=500_000,
        ge=1,
        description="The most objects a query's lists may hold together (GitHub's node limit).",
    )
    anonymous_cost_budget: int = Field(
        default=5_000,
        ge=1,
        description="The hourly cost budget shown to callers without an API key.",
    )
    key_budget_capacity: int = Field(
        default=50_000,
        ge=1,
        description="The cost points an API key's bucket holds when full (unless the key's own).",
    )
    key_budget_restore_per_second: float | None = Field(
        default=None,
        gt=0,
        description="Points an API key's bucket regains per second; unset, it refills in an hour.",
    )
    anonymous_budget_restore_per_second: float | None = Field(
        default=None,
        gt=0,
        description="Points an anonymous client's bucket (of anonymous_cost_budget points) regains "
        "per second; unset, it refills in an hour.",
    )
    unmetered_loopback: bool | None = Field(
        default=None,
        description="Charge nothing to anonymous callers on the loopback address (the developer "
        "at the machine); defaults to on in development only.",
    )
    anonymous_reads: bool | None = Field(
        default=None,
        description="Serve callers without an API key; defaults to on in development only.",
    )
    change_log_retention_days: float | None = Field(
        default=None,
        gt=0,
        description="How long the change log keeps a change that a later one of the same node "
        "replaced, and a deletion: `eventgraph changes prune` deletes older ones, and feed "
        "cursors from before them expire (CURSOR_EXPIRED). Unset, it keeps everything.",
    )
    access_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long a process trusts what it read of a key or a trusted document: a "
        "revoked key or a removed document stops working within this time.",
    )
    trusted_documents_only: bool = Field(
        default=False,
        description="Run only registered operations (`eventgraph queries add`), except for keys "
        "with the admin scope.",
    )
    persisted_query_store_bytes: int = Field(
        default=16_000_000,
        ge=0,
        description="The memory a process gives to automatic persisted queries (least recently "
        "used dropped first).",
    )
    persisted_query_cache_control: str = Field(
        default="public, max-age=60",
        min_length=1,
        description="The Cache-Control value of successful GET responses to persisted queries.",
    )
    idempotency_key_hours: int = Field(
        default=24,
        ge=24,
        description="How long a mutation's idempotencyKey is remembered, with the answer it got: "
        "a retry within it gets that answer again; older keys are pruned.",
    )
    max_concurrent_requests_per_client: int = Field(
        default=4,
        ge=1,
        description="Requests of one key (or anonymous address) a process runs at once; more "
        "are refused with RATE_LIMITED, so that one client cannot take every connection.",
    )
    subscriptions_per_connection: int = Field(
        default=10,
        ge=1,
        description="The most subscriptions one WebSocket connection may hold at once.",
    )
    subscriptions_per_key: int = Field(
        default=100,
        ge=1,
        description="The most subscriptions one key (or anonymous address) may hold at once in "
        "one process, all its connections together.",
    )
    subscription_queue_size: int = Field(
        default=1_000,
        ge=1,
        description="The changes a subscription may hold that its client has not yet taken; past "
        "it the subscription ends with SLOW_CONSUMER and the cursor to resume from.",
    )
    subscription_keep_alive_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How often a WebSocket connection is sent a `ping` (graphql-transport-ws), "
        "so that proxies keep it open.",
    )
    subscription_listener_ping_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often the process's listening connection (LISTEN on the primary) is "
        "pinged, and how long a ping may take before the connection is re-opened.",
    )
    subscription_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often subscriptions read the change feed without a notification, in "
        "case one never came.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="The least severe log records written."
    )
    log_format: Literal["auto", "text", "json"] = Field(
        default="auto",
        description="auto: text lines (colored) when stderr is a terminal in development, JSON "
        "lines otherwise; text or json: always that.",
    )

    metrics: str | None = Field(
        default=None,
        description="Where GET /metrics is served: public (on the API's own port), off, or "
        "HOST:PORT (a listener of its own); unset, public in development and "
        f"{PRODUCTION_METRICS_ADDRESS} in production.",
    )

    cors_origins: list[str] | None = Field(
        default=None,
        description='Origins allowed to call the API from a browser; unset, any ("*") in '
        "development and none in production.",
    )

    introspection: bool | None = Field(
        default=None, description="Allow introspection; defaults to on in development only."
    )
    graphiql: bool | None = Field(
        default=None, description="Serve the GraphiQL IDE; defaults to on in development only."
    )

    @field_validator("read_database_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value

    @field_validator("read_database_urls")
    @classmethod
    def _replica_urls(cls, value: list[str]) -> list[str]:
        return [cls._postgres_url(url) or url for url in value]

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        # A Unix-socket URL (postgresql://user@/db?host=/run/postgresql) is valid here, though
        # pydantic's PostgresDsn refuses an empty host; SQLAlchemy's parser is the one that matters.
        if value is None:
            return None
        try:
            backend = make_url(value).get_backend_name()
        except (ArgumentError, ValueError) as error:  # ValueError: a port that is no number
            raise ValueError(f"not a database URL: {error}") from None
        if backend != "postgresql":
            raise ValueError(f"a PostgreSQL URL is needed (postgresql://...), not {backend}")
        return value

    @field_validator("metrics")
    @classmethod
    def _metrics_place(cls, value: str | None) -> str | None:
        if value is None or value in ("public", "off"):
            return value
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError("expected public, off, or HOST:PORT (e.g. 127.0.0.1:9464)")
        return value

    @model_validator(mode="after")
    def _check_page_sizes(self) -> Self:
        if self.default_page_size > self.max_page_size:
            raise ValueError(
                f"EVENTGRAPH_DEFAULT_PAGE_SIZE ({self.default_page_size}) must not exceed "
                f"EVENTGRAPH_MAX_PAGE_SIZE ({self.max_page_size})"
            )
        return self

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @property
    def introspection_enabled(self) -> bool:
        return self.is_development if self.introspection is None else self.introspection

    @property
    def graphiql_enabled(self) -> bool:
        return self.is_development if self.graphiql is None else self.graphiql

    @property
    def allowed_origins(self) -> list[str]:
        if self.cors_origins is not None:
            return self.cors_origins
        return ["*"] if self.is_development else []

    @property
    def unmetered_loopback_enabled(self) -> bool:
        return self.is_development if self.unmetered_loopback is None else self.unmetered_loopback

    @property
    def metrics_place(self) -> str:
        """public, off, or the HOST:PORT of /metrics's own listener."""
        if self.metrics is not None:
            return self.metrics
        return "public" if self.is_development else PRODUCTION_METRICS_ADDRESS

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """The host and port of /metrics's own listener, if it has one."""
        if self.metrics_place in ("public", "off"):
            return None
        host, _, port = self.metrics_place.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def anonymous_reads_allowed(self) -> bool:
        return self.is_development if self.anonymous_reads is None else self.anonymous_reads


def settings_table() -> str:
    """Every setting as a Markdown table (docs/operations.md holds it; a test keeps it so)."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path):
            default = default.relative_to(PROJECT_ROOT)
        elif isinstance(default, Enum):
            default = default.value
        elif isinstance(default, bool):
            default = str(default).lower()
        shown = "unset" if default is None or default == [] else f"`{default}`"
        rows.append(f"| `EVENTGRAPH_{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(rows) + "\n"
