"""The exposed schema is committed, describes everything it exposes, and never breaks clients.

`schema/schema.graphql` is the schema as the code builds it (`make schema` rewrites it). Against
the schema of the last release (the newest `v*` tag, else the last commit), only additions are
allowed: a removal or a type change fails with graphql-core's description of the break.
"""

import subprocess
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    find_breaking_changes,
)
from graphql import (
    build_schema as build_sdl_schema,
)

from schema.schema import build_schema, graphql_core_schema

REPOSITORY = Path(__file__).resolve().parents[2]
COMMITTED = REPOSITORY / "schema" / "schema.graphql"
SCHEMA_IN_GIT = "schema/schema.graphql"


@pytest.fixture(scope="module")
def exposed() -> GraphQLSchema:
    return graphql_core_schema(build_schema())


def test_the_committed_schema_is_the_exposed_one() -> None:
    assert COMMITTED.read_text() == build_schema().as_str() + "\n", (
        "schema/schema.graphql is out of date: run `make schema` and commit it"
    )


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPOSITORY, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def released_schema() -> tuple[str, str]:
    """The SDL of the last release, and where it comes from: the newest `v*` tag, else HEAD.

    Outside a git checkout (an unpacked archive) the committed file is the only baseline.
    """
    tag = (_git("describe", "--tags", "--abbrev=0", "--match", "v*") or "").strip()
    for revision in (tag, "HEAD"):
        if revision:
            sdl = _git("show", f"{revision}:{SCHEMA_IN_GIT}")
            if sdl is not None:
                return sdl, revision
    return COMMITTED.read_text(), "the committed file"


def test_no_change_breaks_a_client_of_the_last_release(exposed: GraphQLSchema) -> None:
    sdl, baseline = released_schema()
    breaks = find_breaking_changes(build_sdl_schema(sdl), exposed)
    assert not breaks, f"breaking changes against {baseline}:\n" + "\n".join(
        f"- {change.type.name}: {change.description}" for change in breaks
    )


def test_a_removal_is_reported_as_breaking(exposed: GraphQLSchema) -> None:
    """The check above can fail: dropping a field from the released schema is caught."""
    sdl, _ = released_schema()
    field = '  """How long it lasted, in minutes."""\n  durationMinutes: Int\n'
    trimmed = sdl.replace(field, "", 1)
    assert trimmed != sdl
    breaks = find_breaking_changes(build_sdl_schema(sdl), build_sdl_schema(trimmed))
    assert [change.description for change in breaks] == ["Field Event.durationMinutes was removed."]


def test_everything_exposed_has_a_description(exposed: GraphQLSchema) -> None:
    undescribed: list[str] = []

    def check(path: str, item: object) -> None:
        if not (getattr(item, "description", None) or "").strip():
            undescribed.append(path)

    for name, kind in exposed.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        check(name, kind)
        if isinstance(kind, GraphQLEnumType):
            for value_name, value in kind.values.items():
                check(f"{name}.{value_name}", value)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                check(f"{name}.{field_name}", field)
                for arg_name, argument in field.args.items():
                    check(f"{name}.{field_name}({arg_name})", argument)
        if isinstance(kind, GraphQLInputObjectType):
            for field_name, input_field in kind.fields.items():
                check(f"{name}.{field_name}", input_field)
    assert not undescribed, "described nowhere: " + ", ".join(sorted(undescribed))
