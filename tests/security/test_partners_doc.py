"""docs/partners.md is true: each worked example of the cost costs what its row says, before it
runs and actually, and the budget is charged the actual cost."""

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import URL

from api.settings import PROJECT_ROOT
from tests.security.production import Production, new_key, production, seeded

GUIDE = PROJECT_ROOT / "docs" / "partners.md"
ROW = re.compile(
    r"^\| `(?P<query>[^`]+)` \| (?P<cost>\d+) \| (?P<actual>\d+) \| (?P<why>[^|]+) \|$",
    re.MULTILINE,
)
CAPACITY = 100_000


def worked_examples() -> list[tuple[str, int, int]]:
    text = GUIDE.read_text()
    section = text.split("### Worked examples", 1)[1].split("\n#", 1)[0]
    examples = [
        (match["query"], int(match["cost"]), int(match["actual"]))
        for match in ROW.finditer(section)
    ]
    table_rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(examples) == len(table_rows) > 0, "every row of the table is an example"
    return examples


@pytest.fixture
async def api(database_url: URL) -> AsyncIterator[Production]:
    async with production(await seeded(database_url)) as served:
        yield served


@pytest.mark.parametrize(("query", "cost", "actual"), worked_examples())
async def test_the_worked_example_costs_what_the_guide_says(
    api: Production, database_url: URL, query: str, cost: int, actual: int
) -> None:
    key = await new_key(
        database_url, "reader", budget_capacity=CAPACITY, budget_restore_per_second=1e-6
    )
    response = await api.post(query, key=key)
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body["errors"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == cost
    assert body["extensions"]["cost"]["actualQueryCost"] == actual
    assert int(response.headers["x-ratelimit-remaining"]) == CAPACITY - actual
