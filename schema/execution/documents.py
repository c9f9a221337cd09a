"""Documents parsed and validated once: a bounded cache of the verdict on each query text.

A query text is parsed with the token limit, checked against the limits (`schema.limits`), then,
within them, validated with the specification's rules. Either it is valid, or it has errors,
each with its code (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, QUERY_TOO_COMPLEX for a
limit, and for a document graphql-core gives up on: nested too deeply, or more work to validate
than its budgets allow). Both verdicts are cached: a client resending a bad document costs a
lookup.
"""

from collections.abc import Collection
from dataclasses import dataclass, field

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    Lexer,
    OperationDefinitionNode,
    Source,
    TokenKind,
    parse,
    specified_rules,
    validate,
)

from api.cache import LRUCache
from api.codes import ErrorCode
from api.settings import Settings
from schema.errors import code_of
from schema.execution.plan import inclusion_variables
from schema.limits import limit_rules


@dataclass(frozen=True)
class PreparedDocument:
    """A query text, parsed and judged: its document, or the errors that refuse it."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    """Every operation by name, and the only one (when there is one) under None too."""
    inclusions: tuple[str, ...] = ()
    """The variables its `@skip`/`@include` read: what its plans depend on besides the text."""

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        return self.operations.get(name)


class DocumentCache:
    """Prepares query texts for one schema and settings, keeping the last `maxsize` verdicts."""

    def __init__(self, schema: GraphQLSchema, settings: Settings, maxsize: int = 1_024) -> None:
        self.schema = schema
        self.max_tokens = settings.max_tokens
        # Messages offering names ("Did you mean 'title'?") are left out in production, so that
        # the schema cannot be read off error messages when introspection is off.
        self.hide_suggestions = not settings.is_development
        self.limits = limit_rules(settings)
        self.rules = specified_rules
        self._documents: LRUCache[str, PreparedDocument] = LRUCache(maxsize)

    def prepare(self, query: str) -> PreparedDocument:
        prepared = self._documents.get(query)
        if prepared is None:
            prepared = self._prepare(query)
            self._documents.put(query, prepared)
        return prepared

    def _prepare(self, query: str) -> PreparedDocument:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            too_long = over_token_limit(query, error, self.max_tokens)
            code = ErrorCode.QUERY_TOO_COMPLEX if too_long else ErrorCode.GRAPHQL_PARSE_FAILED
            error.extensions = {"code": code.value}
            return PreparedDocument(None, (error,))
        errors = self._validate(document, self.limits) or self._validate(document, self.rules)
        if errors:
            return PreparedDocument(document, tuple(errors))
        operations: dict[str | None, OperationDefinitionNode] = {
            definition.name.value if definition.name else None: definition
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        }
        if len(operations) == 1:
            operations[None] = next(iter(operations.values()))
        return PreparedDocument(document, (), operations, inclusion_variables(document))

    def _validate(
        self, document: DocumentNode, rules: Collection[type[ASTValidationRule]]
    ) -> list[GraphQLError]:
        errors = validate(
            self.schema, document, rules, max_errors=20, hide_suggestions=self.hide_suggestions
        )
        for problem in errors:
            if code_of(problem) is None:
                # Each rule points at the nodes it finds fault with; only graphql-core giving up
                # (more than `max_errors`, fragments nested too deeply, more work than its
                # budgets) points at none.
                code = (
                    ErrorCode.GRAPHQL_VALIDATION_FAILED
                    if problem.nodes
                    else ErrorCode.QUERY_TOO_COMPLEX
                )
                problem.extensions = {"code": code.value}
        return errors


def over_token_limit(query: str, error: GraphQLError, max_tokens: int) -> bool:
    """Whether `parse(query, max_tokens=…)` failed with `error` at its token limit rather than
    at a syntax error: more than `max_tokens` tokens begin where it stopped or before (comments
    count, as the parser counts them). graphql-core raises both as syntax errors; this tells them
    apart by position, with its public lexer, reading no further than the limit."""
    if not error.positions:
        return False
    stop = min(error.positions)
    lexer = Lexer(Source(query))
    counted = 0
    previous = lexer.token
    try:
        while True:
            token = lexer.advance()
            # The lexer returns the next token that is not a comment; the comments it skipped
            # are chained between the two.
            skipped = previous.next
            while skipped is not None:
                if skipped.kind is TokenKind.EOF or skipped.start > stop:
                    return False
                counted += 1
                if counted > max_tokens:
                    return True
                if skipped is token:
                    break
                skipped = skipped.next
            previous = token
    except GraphQLError:
        return False
