"""The cost of a query, computed from the document before anything executes (GitHub's method).

Every connection (a field taking `first` or `last`) costs the number of requests needed to fetch
it: the product of the page sizes of the connections enclosing it. A page size is `first` (or
`last`), else the argument's default, else the default page size; sizes are clamped to the
maximum page size because larger ones are refused anyway. A query costs at least 1.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

PAGE_SIZE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class CostModel:
    """The page sizes the cost assumes."""

    default_page_size: int
    max_page_size: int


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    model: CostModel,
) -> int:
    """The cost of the operation of `document` that will run."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (o for o in operations if o.name is not None and o.name.value == operation_name),
        operations[0] if operations else None,
    )
    if operation is None:
        return 1
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 1
    walk = _CostWalk(schema, document, variables or {}, model)
    return max(1, walk.selection_set(operation.selection_set, root, 1, frozenset()))


class _CostWalk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        model: CostModel,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.model = model
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def selection_set(
        self,
        selection_set: SelectionSetNode,
        parent: Any,
        multiplier: int,
        visited: frozenset[str],
    ) -> int:
        cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                cost += self.field(selection, parent, multiplier, visited)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                cost += self.selection_set(selection.selection_set, target, multiplier, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in visited:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                cost += self.selection_set(
                    fragment.selection_set, target, multiplier, visited | {name}
                )
        return cost

    def field(self, node: FieldNode, parent: Any, multiplier: int, visited: frozenset[str]) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        cost = 0
        inner = multiplier
        if any(name in definition.args for name in PAGE_SIZE_ARGUMENTS):
            cost = multiplier
            inner = multiplier * self.page_size(node, definition)
        if node.selection_set is not None:
            child = get_named_type(definition.type)
            cost += self.selection_set(node.selection_set, child, inner, visited)
        return cost

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int:
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in PAGE_SIZE_ARGUMENTS:
            value = given.get(name)
            if isinstance(value, IntValueNode):
                return self.clamp(int(value.value))
            if isinstance(value, VariableNode):
                variable = self.variables.get(value.name.value)
                if isinstance(variable, int):
                    return self.clamp(variable)
        for name in PAGE_SIZE_ARGUMENTS:
            argument = definition.args.get(name)
            if argument is not None and isinstance(argument.default_value, int):
                return self.clamp(argument.default_value)
        return self.model.default_page_size

    def clamp(self, size: int) -> int:
        return min(max(size, 0), self.model.max_page_size)
