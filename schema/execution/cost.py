"""The cost of a query, computed from its plan and variables before anything executes, and the
limits it is held to then.

GitHub's method, extended to every list. Each field that reads a list costs one request per
parent object it is read for: a connection (the change feed and `history` too), a related list,
`search`, `nodes`, `eventCounts`.
The number of parent objects of the fields below a list is multiplied by the list's size: a
connection's `first` or `last` (the default page size when absent; more than the maximum is
refused anyway), a related list's documented bound (`api.store.relations.BOUNDS`), `search`'s
`first`, the number of `ids`. A filter adds its conditions, once per parent. The query costs the
sum, at least 1. `nodes` is the most objects the query can return; both have ceilings.

The same walk measures the arguments whose size the database would pay for, so that `refusal`
turns them away before any SQL: how deeply a filter's input objects nest and how many conditions
the filters hold together (`filter_size` walks a filter without recursion, so one thousands of
levels deep is measured and refused like any other), and a `search` that names a type twice.
(How long a string or a list may be is `schema.input_limits`'s, checked before.)
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import OperationType
from graphql.execution.values import VariableValues

from api.codes import ErrorCode
from api.settings import Settings
from api.store.relations import BOUNDS
from api.store.search import DEFAULT_SEARCH_SIZE
from schema.errors import CodedError
from schema.execution.plan import OperationPlan, PlannedField
from schema.fields import ChangesRead, ConnectionRead, RelatedRead, RootRead

BUCKET_BOUND = 100
"""What `eventCounts` is counted as: its buckets are not paged."""
MUTATION_COST = 10
"""What each mutation field costs, besides what its payload reads: a write is a transaction of
several statements (a lock, the checks, the rows, the change log), about ten reads' worth."""


@dataclass(frozen=True)
class FilterSize:
    depth: int
    """How many input objects nest in the filter, its own included: `{kind: {eq: MEETING}}`
    is 2 deep."""
    conditions: int
    """Each operator with its operand (`eq: MEETING`), each empty object or list, counted once
    (so `{or: [a, b]}` holds the conditions of a and b)."""


def filter_size(value: Any) -> FilterSize:
    """The depth and conditions of a filter argument (a coerced input: dicts and lists)."""
    depth = conditions = 0
    # Each pending value with the depth of the object it is in; a member whose value holds no
    # object (an operand, an empty `and`) is one condition.
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, Mapping):
            depth = max(depth, level + 1)
            for member in item.values():
                if _holds_object(member):
                    pending.append((member, level + 1))
                else:
                    conditions += 1
        elif isinstance(item, list | tuple):
            pending.extend((element, level) for element in item)
    return FilterSize(depth, conditions)


def _holds_object(value: Any) -> bool:
    """Whether a filter value holds a non-empty object, at once or in a list (filter inputs
    have no lists of lists, so one level of list is all there is to look through)."""
    if isinstance(value, Mapping):
        return bool(value)
    if isinstance(value, list | tuple):
        return any(isinstance(item, Mapping) and item for item in value)
    return False


@dataclass
class ArgumentSizes:
    """The largest arguments of a query, against the limits `refusal` holds them to."""

    filter_depth: int = 0
    """The deepest nesting of input objects in one of its filters."""
    filter_conditions: int = 0
    """The conditions of all its filters together (each is SQL to build and plan)."""
    repeated_type: str | None = None
    """A type one `search` lists twice in `types`, if any."""


@dataclass(frozen=True)
class ActualCost:
    """How the actual cost follows from the answer: the requested cost with each connection's
    page size replaced by the rows it returned. `fixed` is what no connection's rows multiply;
    each connection whose rows something below it is charged for adds `per_row` times the rows
    it returned, at `rows` (the response keys down to its `nodes` or `edges` list, across every
    object and list above it)."""

    fixed: int
    per_row: tuple[tuple[tuple[str, ...], int], ...]


@dataclass(frozen=True)
class QueryCost:
    cost: int
    """Requests, plus filter conditions: what the budget is charged."""
    nodes: int
    """The most objects the lists of the query can hold."""
    arguments: ArgumentSizes
    actual: ActualCost


@dataclass(frozen=True)
class _Place:
    """Where a walk is: the response keys down to its objects, the `rows` of the nearest
    connection above (None at the top), and how many of its objects each such row holds."""

    path: tuple[str, ...]
    rows: tuple[str, ...] | None
    per_row: int


_TOP = _Place((), None, 1)


class _CostWalk:
    def __init__(self, variables: VariableValues, settings: Settings, sizes: ArgumentSizes) -> None:
        self.variables = variables
        self.settings = settings
        self.sizes = sizes
        self.cost = 0
        self.nodes = 0
        self.fixed = 0
        self.per_row: dict[tuple[str, ...], int] = {}

    def walk(self, fields: tuple[PlannedField, ...], parents: int, place: _Place) -> None:
        for field in fields:
            size = self.size(field, parents, place)
            if field.selection is None:
                continue
            # An abstract field is read once per object, of one type each: its widest
            # selection bounds the cost.
            inner = parents if size is None else parents * size
            inner_place = _inner_place(field, place, size)
            walks = []
            for selected in field.selection.by_type.values():
                walk = _CostWalk(self.variables, self.settings, self.sizes)
                walk.walk(selected, inner, inner_place)
                walks.append(walk)
            if walks:
                widest = max(walks, key=lambda walk: (walk.cost, walk.nodes))
                self.cost += widest.cost
                self.nodes += widest.nodes
                self.fixed += widest.fixed
                for rows, points in widest.per_row.items():
                    self.per_row[rows] = self.per_row.get(rows, 0) + points

    def charge(self, parents: int, place: _Place, requests: int) -> None:
        """Charge `requests` per parent object, to the rows of the connection above, if any."""
        self.cost += parents * requests
        if place.rows is None:
            self.fixed += parents * requests
        else:
            self.per_row[place.rows] = self.per_row.get(place.rows, 0) + place.per_row * requests

    def size(self, field: PlannedField, parents: int, place: _Place) -> int | None:
        """The list size of `field` (None when it is not a list), charging its requests."""
        read = field.read
        if field.definition is None:
            return None
        if isinstance(read, ConnectionRead | ChangesRead):
            arguments = field.arguments(self.variables)
            self.charge(parents, place, 1 + self.filter(arguments.get("filter")))
            requested = arguments.get("first")
            if requested is None:
                requested = arguments.get("last")
            size = self.settings.default_page_size if requested is None else requested
            return self.counted(parents, min(max(size, 0), self.settings.max_page_size))
        if isinstance(read, RelatedRead):
            self.charge(parents, place, 1)
            return self.counted(parents, BOUNDS[read.relation])
        if isinstance(read, RootRead) and read.name in ("search", "nodes", "eventCounts"):
            arguments = field.arguments(self.variables)
            self.charge(parents, place, 1 + self.filter(arguments.get("filter")))
            if read.name == "search":
                self.types(arguments.get("types"))
                first = arguments.get("first")
                size = DEFAULT_SEARCH_SIZE if first is None else first
                return self.counted(parents, min(max(size, 0), self.settings.max_page_size))
            if read.name == "nodes":
                return self.counted(parents, len(arguments.get("ids") or ()))
            return self.counted(parents, BUCKET_BOUND)
        return None

    def filter(self, value: Any) -> int:
        """The conditions of a filter argument, its size noted."""
        if value is None:
            return 0
        size = filter_size(value)
        self.sizes.filter_depth = max(self.sizes.filter_depth, size.depth)
        self.sizes.filter_conditions += size.conditions
        return size.conditions

    def types(self, types: list[Any] | None) -> None:
        seen: set[Any] = set()
        for item in types or ():
            if item in seen and self.sizes.repeated_type is None:
                self.sizes.repeated_type = getattr(item, "name", str(item))
            seen.add(item)

    def counted(self, parents: int, size: int) -> int:
        self.nodes += parents * size
        return size


def query_cost(plan: OperationPlan, variables: VariableValues, settings: Settings) -> QueryCost:
    """The cost of `plan` run with the coerced `variables`; a mutation's fields cost
    MUTATION_COST each, plus what their payloads read."""
    walk = _CostWalk(variables, settings, ArgumentSizes())
    walk.walk(plan.fields, 1, _TOP)
    if plan.operation.operation is OperationType.MUTATION:
        walk.charge(1, _TOP, MUTATION_COST * len(plan.fields))
    actual = ActualCost(walk.fixed, tuple(walk.per_row.items()))
    return QueryCost(max(walk.cost, 1), walk.nodes, walk.sizes, actual)


def _inner_place(field: PlannedField, place: _Place, size: int | None) -> _Place:
    """Where the objects of `field` (read at `place`, a list of `size` or not a list) are: a
    connection's rows are counted at its `nodes` or `edges` list; another list multiplies."""
    path = (*place.path, field.key)
    if isinstance(field.read, ConnectionRead) and field.selection is not None:
        listed = [
            (*path, part.key)
            for parts in field.selection.by_type.values()
            for part in parts
            if part.name in ("nodes", "edges")
        ]
        # Without nodes or edges nothing below the connection is charged: no rows to count.
        return _Place(path, listed[0] if listed else path, 1)
    return _Place(path, place.rows, place.per_row * (1 if size is None else size))


def refusal(cost: QueryCost, settings: Settings) -> CodedError | None:
    """Why a query of this cost and these arguments may not run, or None: arguments the schema
    does not take (BAD_USER_INPUT), then the limits (QUERY_TOO_COMPLEX)."""
    sizes = cost.arguments
    if sizes.repeated_type is not None:
        return CodedError(
            f"search lists {sizes.repeated_type} twice in types: list each type once.",
            ErrorCode.BAD_USER_INPUT,
        )
    if sizes.filter_depth > settings.max_filter_depth:
        return CodedError(
            f"A filter nests {sizes.filter_depth} input objects, more than the "
            f"{settings.max_filter_depth} allowed.",
            ErrorCode.QUERY_TOO_COMPLEX,
        )
    if sizes.filter_conditions > settings.max_filter_conditions:
        return CodedError(
            f"The filters of this query hold {sizes.filter_conditions} conditions, more than "
            f"the {settings.max_filter_conditions} allowed: use `in` for lists of values.",
            ErrorCode.QUERY_TOO_COMPLEX,
        )
    if cost.cost > settings.max_query_cost:
        return CodedError(
            f"This query costs {cost.cost}, more than the {settings.max_query_cost} allowed "
            "per request: ask for smaller pages or fewer nested lists.",
            ErrorCode.QUERY_TOO_COMPLEX,
        )
    if cost.nodes > settings.max_query_nodes:
        return CodedError(
            f"This query may return {cost.nodes} objects, more than the "
            f"{settings.max_query_nodes} allowed per request: ask for smaller pages.",
            ErrorCode.QUERY_TOO_COMPLEX,
        )
    return None
