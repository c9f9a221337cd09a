"""The Strawberry extensions of the fallback execution: error codes, and the parse and
validation caches.

Documents reach Strawberry already parsed, validated, limited and costed by the operation
(`schema.execution.operation`); Strawberry's own parse and validation of them hit these caches.
What is left to do here is to give every execution error its code and mask the unexpected ones.
"""

from collections.abc import Callable, Iterator

from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from schema.context import RequestContext
from schema.errors import coded_error


class ErrorCodes(SchemaExtension):
    """Gives every error its `extensions.code` and masks the unexpected ones.

    Strawberry's MaskErrors is not used because it drops `extensions`, which must survive.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            context = self.execution_context.context
            request_id = context.request_id if isinstance(context, RequestContext) else None
            result.errors = [coded_error(error, request_id) for error in errors]


def create_extensions() -> list[Callable[[], SchemaExtension]]:
    """Per-request factories of the schema's extensions, in the order they must run."""
    return [
        ErrorCodes,
        lambda: ParserCache(maxsize=1_024),
        lambda: ValidationCache(maxsize=1_024),
    ]
