"""Persisted queries: Apollo's automatic persisted queries, trusted documents, cacheable GETs.

A request names its document by `extensions.persistedQuery = {version: 1, sha256Hash}` (the
lowercase hex SHA-256 of the document text), with or without the text. `PersistedQueries`
turns a request's query and extensions into the text to run, from:

- the process's automatic store, bounded in bytes, which a request sending text and hash fills
  (Apollo's protocol: an unknown hash alone is answered PersistedQueryNotFound, and the client
  sends the text with it);
- the `trusted_documents` table, filled by `eventgraph queries add FILE`, read through a cache
  of `access_cache_seconds`. In trusted-documents mode only these run.
"""

import base64
import hashlib
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from api.cache import LRUCache
from api.security.database import Queryable
from api.security.errors import AccessInputError, ForbiddenError, PersistedQueryNotFoundError
from api.security.keys import Principal, Scope
from api.settings import Settings

HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")
PROTOCOL_VERSION = 1
# What an automatic entry costs beyond its text: the key and the bookkeeping around it.
ENTRY_OVERHEAD_BYTES = 200
# Trusted hashes (found or not) a process remembers.
CACHED_DOCUMENTS = 10_000


class DocumentInputError(ValueError):
    """A .graphql file that cannot be registered, or a malformed hash."""


class DocumentNotFoundError(LookupError):
    """No trusted document has this hash."""


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    sha256: str
    operation_name: str | None
    document: str
    created_at: datetime | None = None
    """When it was registered; None for one not stored yet."""


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def registered_only(settings: Settings, principal: Principal) -> bool:
    """Whether `principal` may run only trusted documents: in trusted-documents mode, every
    caller but keys with the admin scope (operators trying an operation before registering it)."""
    return settings.trusted_documents_only and Scope.ADMIN not in principal.scopes


# ---------------------------------------------------------------- .graphql files


def _spreads(selection_set: SelectionSetNode | None) -> Iterator[str]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        elif isinstance(selection, FieldNode | InlineFragmentNode):
            yield from _spreads(selection.selection_set)


def _fragments_used(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    used: set[str] = set()
    pending = list(_spreads(operation.selection_set))
    while pending:
        name = pending.pop()
        if name in used:
            continue
        if name not in fragments:
            raise DocumentInputError(f"the fragment {name} is used but not defined in the file")
        used.add(name)
        pending.extend(_spreads(fragments[name].selection_set))
    return [fragment for fragment_name, fragment in fragments.items() if fragment_name in used]


def split_operations(text: str) -> list[TrustedDocument]:
    """One document per operation of a .graphql file: the operation and the fragments it uses,
    printed by graphql-core (as graphql-js prints), and the SHA-256 of that text."""
    try:
        document = parse(text)
    except GraphQLSyntaxError as error:
        where = "".join(
            f" (line {location.line}, column {location.column})"
            for location in (error.locations or [])[:1]
        )
        raise DocumentInputError(f"not a GraphQL document: {error.message}{where}") from None
    operations: list[OperationDefinitionNode] = []
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
        elif isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = definition
        else:
            raise DocumentInputError("a file to register holds operations and fragments only")
    if not operations:
        raise DocumentInputError("the file holds no operation")
    names = [operation.name.value if operation.name else None for operation in operations]
    if len(operations) > 1 and None in names:
        raise DocumentInputError("a file with several operations must name each of them")
    duplicates = sorted({name for name in names if name is not None and names.count(name) > 1})
    if duplicates:
        raise DocumentInputError(f"operations named twice: {', '.join(duplicates)}")
    documents = []
    for operation, name in zip(operations, names, strict=True):
        definitions = (operation, *_fragments_used(operation, fragments))
        printed = print_ast(DocumentNode(definitions=definitions))
        documents.append(TrustedDocument(document_hash(printed), name, printed))
    return documents


# ---------------------------------------------------------------- the table

ADD_DOCUMENTS = """
INSERT INTO trusted_documents (sha256, operation_name, document)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (sha256) DO NOTHING
RETURNING sha256
"""
LIST_DOCUMENTS = """
SELECT sha256, operation_name, document, created_at FROM trusted_documents
ORDER BY operation_name NULLS FIRST, created_at, sha256
"""
REMOVE_DOCUMENT = """
DELETE FROM trusted_documents WHERE sha256 = $1
RETURNING sha256, operation_name, document, created_at
"""
TRUSTED_TEXT = "SELECT document FROM trusted_documents WHERE sha256 = $1"


def _trusted_document(row: asyncpg.Record) -> TrustedDocument:
    return TrustedDocument(row["sha256"], row["operation_name"], row["document"], row["created_at"])


async def add_documents(
    source: Queryable, documents: Sequence[TrustedDocument]
) -> list[tuple[TrustedDocument, bool]]:
    """Register the documents in one statement; each comes back with whether it is new."""
    added = {
        row["sha256"]
        for row in await source.fetch(
            ADD_DOCUMENTS,
            [document.sha256 for document in documents],
            [document.operation_name for document in documents],
            [document.document for document in documents],
        )
    }
    return [(document, document.sha256 in added) for document in documents]


async def list_documents(source: Queryable) -> list[TrustedDocument]:
    return [_trusted_document(row) for row in await source.fetch(LIST_DOCUMENTS)]


def check_hash(sha256: str) -> str:
    if not HASH_PATTERN.match(sha256):
        raise DocumentInputError(f"{sha256!r} is not a SHA-256: 64 lowercase hexadecimal digits")
    return sha256


async def remove_document(source: Queryable, sha256: str) -> TrustedDocument:
    row = await source.fetchrow(REMOVE_DOCUMENT, check_hash(sha256))
    if row is None:
        raise DocumentNotFoundError(f"no trusted document has the hash {sha256}")
    return _trusted_document(row)


# ---------------------------------------------------------------- per request


def requested_hash(extensions: Mapping[str, object] | None) -> str | None:
    """The hash a request's `extensions.persistedQuery` names; None when it names none."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, Mapping):
        raise AccessInputError(
            "extensions.persistedQuery must be an object: {version: 1, sha256Hash: <hex>}."
        )
    version = persisted.get("version")
    if isinstance(version, bool) or version != PROTOCOL_VERSION:
        raise AccessInputError(
            f"Only version {PROTOCOL_VERSION} of persisted queries is supported, not {version!r}."
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not HASH_PATTERN.match(sha256.lower()):
        raise AccessInputError(
            "extensions.persistedQuery.sha256Hash must be a SHA-256 in 64 hexadecimal digits."
        )
    return sha256.lower()


class PersistedQueries:
    """Resolves requests to document texts. One per process: it holds the automatic store and
    the cache of trusted documents."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._automatic: LRUCache[str, str] = LRUCache(
            settings.persisted_query_store_bytes,
            weigh=lambda text: len(text.encode()) + ENTRY_OVERHEAD_BYTES,
        )
        self._trusted: LRUCache[str, str | None] = LRUCache(
            CACHED_DOCUMENTS, settings.access_cache_seconds, clock=clock
        )

    async def resolve(
        self,
        source: Queryable,
        query: str | None,
        extensions: Mapping[str, object] | None,
        *,
        registered_only: bool,
    ) -> str:
        """The document text to run for a request's `query` and `extensions`.

        Raises AccessInputError (BAD_USER_INPUT) for a malformed extension, a hash that is not
        the query's, or a request with neither; PersistedQueryNotFoundError for an unknown hash
        without text; ForbiddenError, when `registered_only`, for a document not registered.
        Touches the database only for a hash not in the process's memory.
        """
        sha256 = requested_hash(extensions)
        if query is not None:
            actual = document_hash(query)
            if sha256 is not None and sha256 != actual:
                raise AccessInputError("The persisted query's sha256Hash is not the query's.")
            if registered_only:
                await self._require_trusted(source, actual)
            elif sha256 is not None:
                self._automatic.put(sha256, query)
            return query
        if sha256 is None:
            raise AccessInputError("The request has neither a query nor a persisted query hash.")
        if registered_only:
            return await self._require_trusted(source, sha256)
        found, text = self._automatic.lookup(sha256)
        if found and text is not None:
            return text
        trusted = await self._trusted_text(source, sha256)
        if trusted is None:
            raise PersistedQueryNotFoundError()
        return trusted

    async def _require_trusted(self, source: Queryable, sha256: str) -> str:
        text = await self._trusted_text(source, sha256)
        if text is None:
            raise ForbiddenError(
                f"Only registered operations run here, and {sha256} is not one of them."
            )
        return text

    async def _trusted_text(self, source: Queryable, sha256: str) -> str | None:
        cached, text = self._trusted.lookup(sha256)
        if cached:
            return text
        row = await source.fetchrow(TRUSTED_TEXT, sha256)
        text = None if row is None else row["document"]
        self._trusted.put(sha256, text)
        return text


# ---------------------------------------------------------------- HTTP caching


def response_etag(body: bytes) -> str:
    """A strong ETag: the SHA-256 of the exact response bytes, url-safe base64, quoted."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
    return f'"{digest}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for
    If-None-Match): the HTTP layer then answers 304 Not Modified with no body."""
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return any(candidate in {"*", etag, f"W/{etag}"} for candidate in candidates)
