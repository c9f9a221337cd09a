"""Persisted queries: Apollo's protocol, trusted documents in PostgreSQL, cacheable responses."""

import hashlib
from uuid import uuid4

import asyncpg
import pytest

from api.security.budgets import Budget
from api.security.errors import (
    AccessInputError,
    ForbiddenError,
    PersistedQueryNotFoundError,
)
from api.security.keys import Principal, Scope
from api.security.persisted import (
    DocumentInputError,
    DocumentNotFoundError,
    PersistedQueries,
    TrustedDocument,
    add_documents,
    document_hash,
    etag_matches,
    list_documents,
    registered_only,
    remove_document,
    response_etag,
    split_operations,
)
from api.settings import Settings
from tests.security.conftest import ManualClock, StatementLog

SETTINGS = Settings(access_cache_seconds=5)
QUERY = '{ event(slug: "xi-putin-video-call-2026-02-04") { title } }'
FILE = """
query Meeting($slug: String!) {
  event(slug: $slug) { ...EventTitle participants { participant { ...Person } } }
}

fragment EventTitle on Event { title startDate }

fragment Person on Participant { slug }

query Recent { events(first: 5) { nodes { ...EventTitle } } }

fragment Unused on Topic { slug }
"""


def _extensions(sha256: str, version: object = 1) -> dict[str, object]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256}}


def _principal(*scopes: Scope) -> Principal:
    return Principal(uuid4(), "partner", frozenset(scopes), "key:x", Budget(10, 1.0))


# ---------------------------------------------------------------- .graphql files


def test_a_file_is_split_into_one_document_per_operation_with_its_fragments() -> None:
    meeting, recent = split_operations(FILE)

    assert meeting.operation_name == "Meeting"
    assert meeting.document == (
        "query Meeting($slug: String!) {\n"
        "  event(slug: $slug) {\n"
        "    ...EventTitle\n"
        "    participants {\n"
        "      participant {\n"
        "        ...Person\n"
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n\n"
        "fragment EventTitle on Event {\n"
        "  title\n"
        "  startDate\n"
        "}\n\n"
        "fragment Person on Participant {\n"
        "  slug\n"
        "}"
    )
    assert meeting.sha256 == hashlib.sha256(meeting.document.encode()).hexdigest()
    assert recent.operation_name == "Recent"
    assert "fragment EventTitle" in recent.document
    assert "Person" not in recent.document
    assert "Unused" not in recent.document + meeting.document


def test_fragments_used_by_fragments_come_along() -> None:
    (document,) = split_operations(
        'query Q { event(slug: "a") { ...A } }\n'
        "fragment A on Event { ...B }\nfragment B on Event { title }"
    )
    assert "fragment A on Event" in document.document
    assert "fragment B on Event" in document.document


def test_a_single_anonymous_operation_is_registered_without_a_name() -> None:
    (document,) = split_operations(QUERY)
    assert document.operation_name is None
    assert document.sha256 == document_hash(document.document)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("query { event(", r"Syntax Error: Expected Name, found <EOF>\. \(line 1, column 15\)"),
        ("fragment A on Event { title }", "holds no operation"),
        ("query A { events { totalCount } }\n{ events { totalCount } }", "must name each"),
        ("query A { a }\nquery A { b }", "operations named twice: A"),
        ("query A { ...Missing }", "the fragment Missing is used but not defined"),
        ("type Extra { a: Int }\nquery A { a }", "operations and fragments only"),
    ],
)
def test_files_that_cannot_be_registered_say_why(text: str, message: str) -> None:
    with pytest.raises(DocumentInputError, match=message):
        split_operations(text)


# ---------------------------------------------------------------- the table


async def test_documents_are_added_once_listed_and_removed(connection: asyncpg.Connection) -> None:
    documents = split_operations(FILE)
    first = await add_documents(connection, documents)
    assert [added for _, added in first] == [True, True]
    again = await add_documents(connection, documents)
    assert [added for _, added in again] == [False, False]

    listed = await list_documents(connection)
    assert [(item.operation_name, item.sha256) for item in listed] == [
        ("Meeting", documents[0].sha256),
        ("Recent", documents[1].sha256),
    ]
    assert all(item.created_at is not None for item in listed)
    assert listed[0].document == documents[0].document

    removed = await remove_document(connection, documents[0].sha256)
    assert removed.operation_name == "Meeting"
    assert [item.operation_name for item in await list_documents(connection)] == ["Recent"]
    with pytest.raises(DocumentNotFoundError, match="no trusted document has the hash"):
        await remove_document(connection, documents[0].sha256)
    with pytest.raises(DocumentInputError, match="is not a SHA-256"):
        await remove_document(connection, "abc")


async def test_the_table_refuses_a_hash_that_is_not_the_document_s(
    connection: asyncpg.Connection,
) -> None:
    wrong = TrustedDocument(document_hash("{ other }"), None, QUERY)
    with pytest.raises(asyncpg.CheckViolationError, match="sha256_of_document"):
        await add_documents(connection, [*split_operations(FILE), wrong])
    assert await list_documents(connection) == []  # one statement: nothing half-written


# ---------------------------------------------------------------- Apollo's protocol


async def test_an_unknown_hash_alone_is_persisted_query_not_found(
    connection: asyncpg.Connection,
) -> None:
    queries = PersistedQueries(SETTINGS)
    with pytest.raises(PersistedQueryNotFoundError) as missing:
        await queries.resolve(
            connection, None, _extensions(document_hash(QUERY)), registered_only=False
        )
    assert (missing.value.message, missing.value.code) == (
        "PersistedQueryNotFound",
        "PERSISTED_QUERY_NOT_FOUND",
    )
    assert missing.value.status == 200
    assert missing.value.headers == {"Cache-Control": "private, no-cache, must-revalidate"}


async def test_text_and_hash_register_then_the_hash_alone_suffices(
    closed: asyncpg.Connection,
) -> None:
    queries = PersistedQueries(SETTINGS)
    extensions = _extensions(document_hash(QUERY))
    # Neither call needs the database: the closed connection would fail any statement.
    assert await queries.resolve(closed, QUERY, extensions, registered_only=False) == QUERY
    assert await queries.resolve(closed, None, extensions, registered_only=False) == QUERY
    upper = _extensions(document_hash(QUERY).upper())
    assert await queries.resolve(closed, None, upper, registered_only=False) == QUERY


async def test_a_plain_query_runs_as_sent(closed: asyncpg.Connection) -> None:
    queries = PersistedQueries(SETTINGS)
    assert await queries.resolve(closed, QUERY, None, registered_only=False) == QUERY
    assert await queries.resolve(closed, QUERY, {"other": 1}, registered_only=False) == QUERY


@pytest.mark.parametrize(
    ("query", "extensions", "message"),
    [
        (QUERY, _extensions(document_hash("{ other }")), "sha256Hash is not the query's"),
        (None, _extensions(document_hash(QUERY), version=2), "Only version 1"),
        (None, _extensions(document_hash(QUERY), version=True), "Only version 1"),
        (None, _extensions("abc"), "must be a SHA-256 in 64 hexadecimal digits"),
        (None, {"persistedQuery": "abc"}, "must be an object"),
        (None, None, "neither a query nor a persisted query hash"),
        (None, {}, "neither a query nor a persisted query hash"),
    ],
)
async def test_malformed_requests_are_bad_user_input(
    closed: asyncpg.Connection,
    query: str | None,
    extensions: dict[str, object] | None,
    message: str,
) -> None:
    with pytest.raises(AccessInputError, match=message) as refused:
        await PersistedQueries(SETTINGS).resolve(closed, query, extensions, registered_only=False)
    assert (refused.value.code, refused.value.status) == ("BAD_USER_INPUT", 400)


async def test_trusted_documents_run_by_hash_and_are_cached(
    connection: asyncpg.Connection, statements: StatementLog, clock: ManualClock
) -> None:
    (document, *_) = split_operations(FILE)
    await add_documents(connection, [document])
    queries = PersistedQueries(SETTINGS, clock=clock)
    extensions = _extensions(document.sha256)
    before = await statements.count()

    for _ in range(3):
        text = await queries.resolve(connection, None, extensions, registered_only=False)
        assert text == document.document
    assert await statements.count() == before + 1

    await remove_document(connection, document.sha256)
    clock.advance(4.9)
    assert await queries.resolve(connection, None, extensions, registered_only=True)
    clock.advance(0.2)
    with pytest.raises(ForbiddenError, match="Only registered operations run here"):
        await queries.resolve(connection, None, extensions, registered_only=True)
    with pytest.raises(PersistedQueryNotFoundError):
        await queries.resolve(connection, None, extensions, registered_only=False)


async def test_registered_only_runs_nothing_but_trusted_documents(
    connection: asyncpg.Connection,
) -> None:
    meeting, _ = split_operations(FILE)
    await add_documents(connection, [meeting])
    queries = PersistedQueries(SETTINGS)

    by_hash = await queries.resolve(
        connection, None, _extensions(meeting.sha256), registered_only=True
    )
    assert by_hash == meeting.document
    by_text = await queries.resolve(connection, meeting.document, None, registered_only=True)
    assert by_text == meeting.document

    with pytest.raises(ForbiddenError) as refused:
        await queries.resolve(connection, QUERY, None, registered_only=True)
    assert (refused.value.code, refused.value.status) == ("FORBIDDEN", 403)
    # Registered automatically while allowed, still not trusted.
    extensions = _extensions(document_hash(QUERY))
    await queries.resolve(connection, QUERY, extensions, registered_only=False)
    with pytest.raises(ForbiddenError):
        await queries.resolve(connection, None, extensions, registered_only=True)
    with pytest.raises(ForbiddenError):
        await queries.resolve(connection, QUERY, extensions, registered_only=True)


async def test_the_automatic_store_is_bounded_in_bytes(connection: asyncpg.Connection) -> None:
    texts = [f"{{ events(first: {number}) {{ totalCount }} }}" for number in range(10)]
    # Room for about three of them (each text plus 200 bytes of overhead).
    queries = PersistedQueries(Settings(persisted_query_store_bytes=3 * 240))
    for text in texts:
        await queries.resolve(
            connection, text, _extensions(document_hash(text)), registered_only=False
        )

    for text in texts[-3:]:
        extensions = _extensions(document_hash(text))
        assert await queries.resolve(connection, None, extensions, registered_only=False) == text
    with pytest.raises(PersistedQueryNotFoundError):
        await queries.resolve(
            connection, None, _extensions(document_hash(texts[0])), registered_only=False
        )


async def test_no_automatic_store_when_its_size_is_zero(connection: asyncpg.Connection) -> None:
    queries = PersistedQueries(Settings(persisted_query_store_bytes=0))
    extensions = _extensions(document_hash(QUERY))
    assert await queries.resolve(connection, QUERY, extensions, registered_only=False) == QUERY
    with pytest.raises(PersistedQueryNotFoundError):
        await queries.resolve(connection, None, extensions, registered_only=False)


def test_trusted_documents_mode_spares_admin_keys_only() -> None:
    trusted = Settings(trusted_documents_only=True)
    assert registered_only(trusted, _principal(Scope.READ))
    assert not registered_only(trusted, _principal(Scope.ADMIN))
    assert not registered_only(Settings(), _principal(Scope.READ))


# ---------------------------------------------------------------- HTTP caching


def test_the_etag_is_strong_and_follows_the_body() -> None:
    body = b'{"data":{"event":{"title":"Xi Jinping-Vladimir Putin video call"}}}'
    etag = response_etag(body)
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert len(etag) == 45  # 43 characters of url-safe base64 SHA-256, quoted
    assert response_etag(body) == etag
    assert response_etag(body + b" ") != etag


def test_if_none_match_is_compared_weakly() -> None:
    etag = response_etag(b"{}")
    assert etag_matches(etag, etag)
    assert etag_matches(f'"other", {etag}', etag)
    assert etag_matches(f"W/{etag}", etag)
    assert etag_matches("*", etag)
    assert not etag_matches('"other"', etag)
    assert not etag_matches(None, etag)
    assert not etag_matches("", etag)
