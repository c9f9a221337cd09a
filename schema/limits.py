"""The limits a document must keep before anything runs: validation rules, each with its code.

They run before the specification's rules (`schema.execution.documents`), as a pass of their
own: a document over a limit is refused with that limit's error alone, before the rules whose
work grows with the document (field merging, a validation error per repeated directive) see it.
Depth, aliases and directives are counted here, each fragment measured once however often it is
spread (so a document of fragments that spread each other twice costs its size, not 2^n);
introspection is refused here when it is turned off. The token limit applies while parsing, the
filter limits and the query cost just before execution (`schema.execution.cost`).
"""

from collections.abc import Callable

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from graphql.language.visitor import BREAK, VisitorAction

from api.codes import ErrorCode
from api.settings import Settings


def _too_complex(message: str, nodes: list[Node] | None = None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})


class FragmentMeasure:
    """A measure of selection sets (`own` of each field, added up the way `combine` says),
    with each fragment measured once. A spread that closes a cycle counts nothing here: the
    specification's rules refuse cycles, and unknown fragments, in the pass after the limits."""

    def __init__(
        self,
        document: DocumentNode,
        field: Callable[["FragmentMeasure", FieldNode], int],
        combine: Callable[[list[int]], int],
    ) -> None:
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self._field = field
        self._combine = combine
        self._measured: dict[str, int] = {}
        self._open: set[str] = set()

    def selections(self, selection_set: SelectionSetNode | None) -> int:
        parts: list[int] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                parts.append(self._field(self, selection))
            elif isinstance(selection, InlineFragmentNode):
                parts.append(self.selections(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                parts.append(self.fragment(selection.name.value))
        return self._combine(parts)

    def fragment(self, name: str) -> int:
        measured = self._measured.get(name)
        if measured is not None:
            return measured
        definition = self.fragments.get(name)
        if definition is None or name in self._open:
            return 0
        self._open.add(name)
        measured = self.selections(definition.selection_set)
        self._open.discard(name)
        self._measured[name] = measured
        return measured


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def _levels(measure: FragmentMeasure, field: FieldNode) -> int:
    # Introspection fields are not counted: the specification's rule bounds their nesting,
    # and the IDE's introspection query is deeper than any data query needs to be.
    if field.name.value.startswith("__"):
        return 0
    return 1 + measure.selections(field.selection_set)


def _aliases(measure: FragmentMeasure, field: FieldNode) -> int:
    return (1 if field.alias else 0) + measure.selections(field.selection_set)


def create_depth_rule(max_depth: int) -> type[ValidationRule]:
    """Refuses operations whose fields nest more than `max_depth` levels (a leaf field is one
    level, through fragments too)."""

    class MaxDepthRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: object) -> None:
            measure = FragmentMeasure(node, _levels, lambda parts: max(parts, default=0))
            for operation in _operations(node):
                depth = measure.selections(operation.selection_set)
                if depth > max_depth:
                    name = operation.name.value if operation.name else "The operation"
                    self.report_error(
                        _too_complex(
                            f"{name} nests fields {depth} levels deep, more than the "
                            f"{max_depth} allowed.",
                            [operation],
                        )
                    )

    return MaxDepthRule


def create_aliases_rule(max_aliases: int) -> type[ValidationRule]:
    """Refuses documents whose operations hold more than `max_aliases` aliased fields, a
    fragment's counted each time it is spread."""

    class MaxAliasesRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: object) -> None:
            measure = FragmentMeasure(node, _aliases, sum)
            total = sum(measure.selections(op.selection_set) for op in _operations(node))
            if total > max_aliases:
                self.report_error(
                    _too_complex(f"{total} aliases found, more than the {max_aliases} allowed.")
                )

    return MaxAliasesRule


def create_directives_rule(max_directives: int) -> type[ValidationRule]:
    """Refuses documents with more than `max_directives` directives, or with one directive
    given twice at one place (none of the schema's directives is repeatable): one error for the
    document, where the specification's rules would report each repetition (graphql-cop's
    "directive overloading")."""

    class MaxDirectivesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter(self, node: Node, *_: object) -> VisitorAction:
            directives: tuple[DirectiveNode, ...] = getattr(node, "directives", None) or ()
            if not directives:
                return None
            names = [directive.name.value for directive in directives]
            self.count += len(directives)
            if len(set(names)) < len(names):
                twice = next(name for name in names if names.count(name) > 1)
                first, second, *_rest = (d for d in directives if d.name.value == twice)
                self.report_error(
                    _too_complex(
                        f"The directive @{twice} is given {names.count(twice)} times at one "
                        "place; a directive may be given once.",
                        [first, second],
                    )
                )
                return BREAK
            if self.count > max_directives:
                self.report_error(
                    _too_complex(f"More than {max_directives} directives in the document.")
                )
                return BREAK
            return None

    return MaxDirectivesRule


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """The rules beyond the specification's, run before them; created once, as caches key on
    them."""
    rules: list[type[ASTValidationRule]] = [
        create_depth_rule(settings.max_depth),
        create_aliases_rule(settings.max_aliases),
        create_directives_rule(settings.max_directives),
    ]
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules
