"""The limits a document must keep before anything runs: validation rules, each with its code.

Depth, aliases and directives are counted by validation rules (so the verdict is cached with the
document); introspection is refused by a rule when it is turned off. The token limit applies
while parsing (`schema.execution.documents`), the query cost just before execution
(`schema.execution.cost`).
"""

from typing import Any, cast

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions.max_aliases import create_validator as create_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as create_depth_rule

from api.settings import Settings
from schema.errors import ErrorCode


class _CodingValidationContext:
    """A validation context that stamps a code on every error a wrapped rule reports."""

    def __init__(self, context: ValidationContext, code: ErrorCode) -> None:
        self._context = context
        self._code = code

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": self._code.value}
        self._context.report_error(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def coded_rule(rule: type[ASTValidationRule], code: ErrorCode) -> type[ValidationRule]:
    """`rule` (one that does its work on construction) with `code` on the errors it reports."""

    class CodedRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            rule(cast(ValidationContext, _CodingValidationContext(context, code)))

    CodedRule.__name__ = f"Coded{rule.__name__}"
    return CodedRule


def create_directives_rule(max_directives: int) -> type[ValidationRule]:
    """A rule refusing documents with more than `max_directives` directives."""

    class MaxDirectivesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            self.count += 1
            if self.count == max_directives + 1:
                self.report_error(
                    GraphQLError(
                        f"More than {max_directives} directives in the document.",
                        extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value},
                    )
                )

    return MaxDirectivesRule


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """The rules beyond the specification's, created once: caches key on them."""
    rules: list[type[ASTValidationRule]] = [
        coded_rule(create_depth_rule(settings.max_depth, None), ErrorCode.QUERY_TOO_COMPLEX),
        coded_rule(create_aliases_rule(settings.max_aliases), ErrorCode.QUERY_TOO_COMPLEX),
        create_directives_rule(settings.max_directives),
    ]
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules
