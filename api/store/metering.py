"""The actual cost of a document, measured by PostgreSQL on the JSON it built.

A request's cost counts, for each list, the rows it may return (`schema.execution.cost`); its
actual cost counts the rows each connection did return. That is a sum: a fixed part, plus for
each connection the rows found at its path in the answer times what each of its rows was
charged. `actual_cost_sql` writes it as SQL over `answer.data`, the JSON of the document, in the
statement that built it (`api.security.budgets.metered_statement`): the answer is not read
again in Python.
"""

import re
from collections.abc import Sequence

KEY = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
"""What a JSON key of a document is (a GraphQL name): safe to write into a JSON path."""


def rows_path(keys: Sequence[str]) -> str:
    """The SQL/JSON path of the elements of the lists at `keys`, through every object and list
    on the way (lax mode unwraps lists, and a null or missing member yields nothing)."""
    for key in keys:
        if not KEY.match(key):
            raise ValueError(f"not a JSON key of a document: {key!r}")
    return "lax $" + "".join(f'."{key}"' for key in keys) + "[*]"


def actual_cost_sql(fixed: int, per_row: Sequence[tuple[Sequence[str], int]]) -> str:
    """The SQL of `fixed` plus, for each (keys, points), `points` times the rows at `keys` in
    `answer.data`; the JSON is parsed once, and only when some rows are counted."""
    counted = [(keys, points) for keys, points in per_row if points]
    if not counted:
        return str(int(fixed))
    terms = " + ".join(
        f"{int(points)} * jsonb_array_length(jsonb_path_query_array(tree, '{rows_path(keys)}'))"
        for keys, points in counted
    )
    return f"(SELECT {int(fixed)} + {terms} FROM (SELECT answer.data::jsonb AS tree) AS parsed)"
