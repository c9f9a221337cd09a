"""The plan of an operation: which declared read feeds each field, built once per document.

`plan_operation` walks a validated operation the way GraphQL's CollectFields does: fragments
inlined where their type condition holds, `@skip`/`@include` applied, fields of the same
response key merged (their sub-selections too), in the order the response will have them. Each
planned field carries its declaration (`schema.fields.Read`), so the cost (`cost.py`) and the
compiled read (`compiler.py`) walk the same tree. Abstract types (the `Node` interface, the
`SearchResult` union) are planned once per possible object type.

A plan depends on the document, the operation and the values of the `@skip`/`@include`
variables, and on nothing else: `PlanCache` keeps one per such key.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLField,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_object_type,
)
from graphql.execution.values import VariableValues, get_argument_values

from api.cache import LRUCache
from schema.fields import Read, read_of
from schema.schema import graphql_core_schema

INCLUSION_DIRECTIVES = ("skip", "include")
"""In the order graphql-core evaluates them."""
TYPENAME = "__typename"
INTROSPECTION_FIELDS = ("__schema", "__type")


@dataclass(eq=False)
class PlannedField:
    key: str
    """The response key (the alias, else the field name)."""
    name: str
    parent: GraphQLObjectType
    definition: GraphQLField | None
    """None for `__typename`."""
    node: FieldNode
    """The first of the merged field nodes: validation ensures they take the same arguments."""
    read: Read | None
    selection: "PlannedSelection | None"
    _constant_arguments: dict[str, Any] | None = None
    _arguments_vary: bool = field(init=False)
    """Whether an argument names a variable: then they are coerced again on each request."""

    def __post_init__(self) -> None:
        self._arguments_vary = any(
            _uses_variables(argument.value) for argument in self.node.arguments or ()
        )

    def arguments(self, variables: VariableValues) -> dict[str, Any]:
        """The field's arguments as GraphQL coerces them (defaults applied); computed once when
        they name no variable. Not to be changed by the caller."""
        if self._constant_arguments is not None:
            return self._constant_arguments
        assert self.definition is not None
        arguments = get_argument_values(self.definition, self.node, variables)
        if not self._arguments_vary:
            self._constant_arguments = arguments
        return arguments


@dataclass(eq=False)
class PlannedSelection:
    """The fields selected on each possible object type (one type, unless abstract)."""

    by_type: dict[str, tuple[PlannedField, ...]]


@dataclass(eq=False)
class OperationPlan:
    operation: OperationDefinitionNode
    fields: tuple[PlannedField, ...]
    declined: str | None
    """Why the compiled path cannot answer it (introspection, a field without a declaration),
    or None."""
    inclusions_read: frozenset[str] = frozenset()
    """The variables `@skip`/`@include` were read from. A nullable one with a default may still
    be given null, which fails the request (`if` is Boolean!): the plan holds for true and
    false, and the compiler declines null."""


def _uses_variables(value: Any) -> bool:
    if isinstance(value, VariableNode):
        return True
    for key in getattr(value, "keys", ()):
        child = getattr(value, key, None)
        children = child if isinstance(child, tuple | list) else (child,)
        if any(_uses_variables(item) for item in children if hasattr(item, "kind")):
            return True
    return False


def inclusion_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables that `@skip`/`@include` read, in document order: what a plan depends on."""
    names: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, DirectiveNode) and node.name.value in INCLUSION_DIRECTIVES:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.append(argument.value.name.value)
        for key in getattr(node, "keys", ()):
            child = getattr(node, key, None)
            for item in child if isinstance(child, tuple | list) else (child,):
                if hasattr(item, "kind"):
                    visit(item)

    visit(document)
    return tuple(dict.fromkeys(names))


class _Planner:
    def __init__(
        self,
        schema: strawberry.Schema,
        document: DocumentNode,
        variables: Mapping[str, Any],
    ) -> None:
        self.declarations = schema
        """Where each field's Strawberry definition, and so its declared read, is looked up."""
        self.schema = graphql_core_schema(schema)
        self.variables = variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.declined: str | None = None
        self.inclusions_read: set[str] = set()

    def included(self, node: FieldNode | FragmentSpreadNode | InlineFragmentNode) -> bool:
        """Whether `node` is selected, decided as graphql-core does: `@skip` first, then
        `@include` only when `@skip` did not leave the node out."""
        directives = {directive.name.value: directive for directive in node.directives or ()}
        for name in INCLUSION_DIRECTIVES:
            directive = directives.get(name)
            if directive is None:
                continue
            value = directive.arguments[0].value if directive.arguments else None
            if isinstance(value, VariableNode):
                self.inclusions_read.add(value.name.value)
                condition = bool(self.variables.get(value.name.value))
            else:
                condition = isinstance(value, BooleanValueNode) and value.value
            if (name == "skip") == condition:
                return False
        return True

    def applies(self, condition: str | None, object_type: GraphQLObjectType) -> bool:
        if condition is None or condition == object_type.name:
            return True
        conditional = self.schema.get_type(condition)
        return is_abstract_type(conditional) and self.schema.is_sub_type(conditional, object_type)

    def collect(
        self,
        object_type: GraphQLObjectType,
        selection_sets: Iterable[SelectionSetNode],
        into: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                if not self.included(selection):  # type: ignore[arg-type]
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    into.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if self.applies(condition.name.value if condition else None, object_type):
                        self.collect(object_type, [selection.selection_set], into, visited)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self.applies(fragment.type_condition.name.value, object_type):
                        self.collect(object_type, [fragment.selection_set], into, visited)

    def fields(
        self, object_type: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> tuple[PlannedField, ...]:
        collected: dict[str, list[FieldNode]] = {}
        self.collect(object_type, selection_sets, collected, set())
        return tuple(self.field(object_type, key, nodes) for key, nodes in collected.items())

    def field(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> PlannedField:
        name = nodes[0].name.value
        if name == TYPENAME:
            return PlannedField(key, name, parent, None, nodes[0], None, None)
        if name in INTROSPECTION_FIELDS:
            self.declined = self.declined or f"introspection ({name})"
            return PlannedField(key, name, parent, None, nodes[0], None, None)
        definition = parent.fields[name]
        strawberry_field = self.declarations.get_field_for_type(name, parent.name)
        read = read_of(strawberry_field) if strawberry_field is not None else None
        if read is None:
            self.declined = self.declined or f"{parent.name}.{name} has no declared read"
        selection = None
        sub_selections = [node.selection_set for node in nodes if node.selection_set]
        if sub_selections:
            selection = self.selection(get_named_type(definition.type), sub_selections)
        return PlannedField(key, name, parent, definition, nodes[0], read, selection)

    def selection(self, named: Any, selection_sets: Sequence[SelectionSetNode]) -> PlannedSelection:
        if is_object_type(named):
            return PlannedSelection({named.name: self.fields(named, selection_sets)})
        abstract: GraphQLAbstractType = named
        return PlannedSelection(
            {
                possible.name: self.fields(possible, selection_sets)
                for possible in self.schema.get_possible_types(abstract)
            }
        )


def plan_operation(
    schema: strawberry.Schema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> OperationPlan:
    """The plan of `operation`; `variables` are read for `@skip`/`@include` only."""
    planner = _Planner(schema, document, variables)
    kind = operation.operation.value
    root_type = planner.schema.get_root_type(operation.operation)
    if root_type is None:
        return OperationPlan(operation, (), f"a {kind}")
    fields = planner.fields(root_type, [operation.selection_set])
    # A mutation or a subscription is planned for its cost (a subscription's is what each
    # delivery is charged); Strawberry's execution runs it, never the compiled path.
    declined = planner.declined if kind == "query" else f"a {kind}"
    return OperationPlan(operation, fields, declined, frozenset(planner.inclusions_read))


class PlanCache(LRUCache[Hashable, OperationPlan]):
    """Plans by (document text, operation name, inclusion-variable values), least recent out."""

    def __init__(self, maxsize: int = 1_024) -> None:
        super().__init__(maxsize)
