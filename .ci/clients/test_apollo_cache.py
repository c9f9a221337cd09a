"""Apollo Client 4, with its cache set up as docs/querying.md says, against the real app.

The guide's own code runs: its script derives `possibleTypes` from the server, its cache module
is imported as written. Every example of the README and the guide then goes through one client
(apollo/run-examples.mjs), and each must come back from Apollo and from its cache exactly as the
server sent it over plain HTTP, without a warning from Apollo.
"""

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, build_schema
from graphql.type import get_named_type

from api.settings import PROJECT_ROOT
from tests.schema.test_querying_doc import Example, documented_examples

APOLLO = Path(__file__).resolve().parent / "apollo"
GUIDE = PROJECT_ROOT / "docs" / "querying.md"
SCHEMA = build_schema((PROJECT_ROOT / "schema" / "schema.graphql").read_text())
# A ```js block of the guide that starts with "// FILE: …" is the file FILE, as a reader copies it.
CODE_FILE = re.compile(r"```js\n(?P<code>// (?P<file>[\w.-]+): .*?)```", re.DOTALL)
NEXT_EVENTS = re.compile(r"```\n(?P<query>query NextEvents\(.*?)```", re.DOTALL)
NODE_SECONDS = 300
EXAMPLES = documented_examples()


def node() -> str:
    found = shutil.which("node")
    assert found, "Node.js is needed (CI installs it with .ci/run)"
    return found


def guide_code(folder: Path) -> None:
    """Writes the guide's code files into `folder`, as a reader would copy them."""
    files = {match["file"]: match["code"] for match in CODE_FILE.finditer(GUIDE.read_text())}
    assert set(files) == {"possible-types.mjs", "eventgraph-cache.js"}, set(files)
    for name, code in files.items():
        (folder / name).write_text(code)


@pytest.fixture(scope="session")
def guide_folder(base_url: str) -> Iterator[Path]:
    """The guide's code, with possible-types.js made by its script from the running server.

    It sits inside apollo/, so its imports find the packages `npm ci` put in apollo/node_modules.
    """
    assert (APOLLO / "node_modules" / "@apollo" / "client").is_dir(), "run npm ci in " + str(APOLLO)
    with tempfile.TemporaryDirectory(prefix="guide-", dir=APOLLO) as name:
        folder = Path(name)
        guide_code(folder)
        made = subprocess.run(
            [node(), "possible-types.mjs", f"{base_url}/graphql"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=NODE_SECONDS,
            check=True,
        )
        (folder / "possible-types.js").write_text(made.stdout)
        yield folder


@pytest.fixture(scope="session")
def run(base_url: str, guide_folder: Path) -> dict[str, Any]:
    """What run-examples.mjs saw, for every example and for the walk through NextEvents."""
    walk = NEXT_EVENTS.search(GUIDE.read_text())
    assert walk, "the guide's NextEvents query"
    given = {
        "endpoint": f"{base_url}/graphql",
        "examples": [{"name": example.name, "query": example.query} for example in EXAMPLES],
        "walk": {"query": walk["query"]},
    }
    finished = subprocess.run(
        [node(), "--conditions=development", APOLLO / "run-examples.mjs", guide_folder],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=NODE_SECONDS,
    )
    assert finished.returncode == 0, finished.stderr
    result: dict[str, Any] = json.loads(finished.stdout)
    return result


def as_sent(apollo: Any, raw: Any) -> Any:
    """Apollo's data without the `__typename`s it added to the query, where the server sent none."""
    if isinstance(apollo, list) and isinstance(raw, list) and len(apollo) == len(raw):
        return [as_sent(item, sent) for item, sent in zip(apollo, raw, strict=True)]
    if isinstance(apollo, dict) and isinstance(raw, dict):
        return {
            key: as_sent(value, raw.get(key))
            for key, value in apollo.items()
            if key != "__typename" or "__typename" in raw
        }
    return apollo


def seen(run: dict[str, Any], example: Example) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in run["examples"] if item["name"] == example.name)
    return found


def test_the_warnings_of_apollo_are_seen(run: dict[str, Any]) -> None:
    """Replacing an object without an id makes Apollo warn; unseen, the tests here prove nothing."""
    assert any("Cache data may be lost" in warning for warning in run["control"]), run["control"]


def test_possible_types_are_those_of_the_schema(guide_folder: Path) -> None:
    made = (guide_folder / "possible-types.js").read_text()
    possible = json.loads(made[made.index("export default ") + len("export default ") : -2])
    abstract = {
        name: sorted(member.name for member in SCHEMA.get_possible_types(kind))
        for name, kind in SCHEMA.type_map.items()
        if isinstance(kind, GraphQLInterfaceType | GraphQLUnionType) and not name.startswith("__")
    }
    assert {name: sorted(members) for name, members in possible.items()} == abstract
    assert set(abstract) == {"Node", "SearchResult"}


def test_every_connection_field_has_a_pagination_policy(run: dict[str, Any]) -> None:
    connections: dict[str, list[str]] = {}
    for name, kind in SCHEMA.type_map.items():
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__"):
            fields = [
                field
                for field, definition in kind.fields.items()
                if get_named_type(definition.type).name.endswith("Connection")
            ]
            if fields:
                connections[name] = sorted(fields)
    policies = {kind: sorted(fields) for kind, fields in run["connectionFields"].items()}
    assert policies == connections


@pytest.mark.parametrize("example", [pytest.param(item, id=item.name) for item in EXAMPLES])
def test_apollo_and_its_cache_give_what_the_server_sent(
    run: dict[str, Any], example: Example
) -> None:
    item = seen(run, example)
    assert item["warnings"] == []
    raw = item["raw"]
    if "errors" in raw:
        # Apollo reports the server's errors as they came, and keeps nothing of the answer.
        assert item["apollo"] == {"errors": raw["errors"]}
        assert item["cacheUnchanged"]
        return
    assert as_sent(item["apollo"]["data"], raw["data"]) == raw["data"]
    assert as_sent(item["readBack"], raw["data"]) == raw["data"]


@pytest.mark.parametrize(
    "example",
    [pytest.param(item, id=item.name) for item in EXAMPLES if '"errors"' not in item.result],
)
def test_every_example_can_still_be_read_once_all_have_run(
    run: dict[str, Any], example: Example
) -> None:
    """No later example takes away what an earlier one cached."""
    assert run["warningsAtTheEnd"] == []
    raw = seen(run, example)["raw"]
    assert as_sent(run["atTheEnd"][example.name], raw["data"]) == raw["data"]


def test_fetch_more_joins_the_pages_of_next_events(run: dict[str, Any]) -> None:
    walk = run["walk"]
    assert walk["warnings"] == []
    pages = [page["data"]["events"] for page in walk["pages"]]
    assert len(pages) == 10  # the 28 events of the seed corpus, 3 a page
    whole = {
        "events": {
            "pageInfo": pages[-1]["pageInfo"],
            "edges": [edge for page in pages for edge in page["edges"]],
        }
    }
    assert as_sent(walk["shown"], whole) == whole
    assert as_sent(walk["readBack"], whole) == whole
