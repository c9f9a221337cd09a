"""The cost of a query, computed from its plan and variables before anything executes.

GitHub's method, extended to every list. Each field that reads a list costs one request per
parent object it is read for: a connection, a related list, `search`, `nodes`, `eventCounts`.
The number of parent objects of the fields below a list is multiplied by the list's size: a
connection's `first` or `last` (the default page size when absent; more than the maximum is
refused anyway), a related list's documented bound (`api.store.relations.BOUNDS`), `search`'s
`first`, the number of `ids`. A filter adds its conditions, once per parent. The query costs the
sum, at least 1. `nodes` is the most objects the query can return; both have ceilings.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql.execution.values import VariableValues

from api.settings import Settings
from api.store.relations import BOUNDS
from schema.execution.plan import OperationPlan, PlannedField
from schema.fields import ConnectionRead, RelatedRead, RootRead

BUCKET_BOUND = 100
"""What `eventCounts` is counted as: its buckets are not paged."""


@dataclass(frozen=True)
class QueryCost:
    cost: int
    """Requests, plus filter conditions: what the budget is charged."""
    nodes: int
    """The most objects the lists of the query can hold."""


def filter_conditions(value: Any) -> int:
    """How many conditions a filter argument holds (each operator, each quantifier)."""
    if isinstance(value, Mapping):
        return sum(max(filter_conditions(item), 1) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(filter_conditions(item) for item in value)
    return 0


class _CostWalk:
    def __init__(self, variables: VariableValues, settings: Settings) -> None:
        self.variables = variables
        self.settings = settings
        self.cost = 0
        self.nodes = 0

    def walk(self, fields: tuple[PlannedField, ...], parents: int) -> None:
        for field in fields:
            size = self.size(field, parents)
            if field.selection is None:
                continue
            # An abstract field is read once per object, of one type each: its widest
            # selection bounds the cost.
            inner = parents if size is None else parents * size
            costs = []
            for selected in field.selection.by_type.values():
                walk = _CostWalk(self.variables, self.settings)
                walk.walk(selected, inner)
                costs.append((walk.cost, walk.nodes))
            if costs:
                cost, nodes = max(costs)
                self.cost += cost
                self.nodes += nodes

    def size(self, field: PlannedField, parents: int) -> int | None:
        """The list size of `field` (None when it is not a list), charging its requests."""
        read = field.read
        if field.definition is None:
            return None
        if isinstance(read, ConnectionRead):
            arguments = field.arguments(self.variables)
            self.cost += parents * (1 + filter_conditions(arguments.get("filter")))
            requested = arguments.get("first")
            if requested is None:
                requested = arguments.get("last")
            size = self.settings.default_page_size if requested is None else requested
            return self.counted(parents, min(max(size, 0), self.settings.max_page_size))
        if isinstance(read, RelatedRead):
            self.cost += parents
            return self.counted(parents, BOUNDS[read.relation])
        if isinstance(read, RootRead) and read.name in ("search", "nodes", "eventCounts"):
            arguments = field.arguments(self.variables)
            self.cost += parents * (1 + filter_conditions(arguments.get("filter")))
            if read.name == "search":
                first = arguments.get("first")
                size = 20 if first is None else first
                return self.counted(parents, min(max(size, 0), self.settings.max_page_size))
            if read.name == "nodes":
                return self.counted(parents, len(arguments.get("ids") or ()))
            return self.counted(parents, BUCKET_BOUND)
        return None

    def counted(self, parents: int, size: int) -> int:
        self.nodes += parents * size
        return size


def query_cost(plan: OperationPlan, variables: VariableValues, settings: Settings) -> QueryCost:
    """The cost of `plan` run with the coerced `variables`."""
    walk = _CostWalk(variables, settings)
    walk.walk(plan.fields, 1)
    return QueryCost(max(walk.cost, 1), walk.nodes)
