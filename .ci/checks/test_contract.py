"""The exposed schema keeps the contract: every type, field, argument and enum value, unchanged.

The contract lives outside the repository (the design folder CI has beside the clone), so this
check runs from .ci/run, which passes the folder with --shared.
"""

from pathlib import Path

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_ast_schema,
    parse,
)

from schema.schema import build_schema


@pytest.fixture(scope="module")
def exposed() -> GraphQLSchema:
    return build_schema()._schema


@pytest.fixture(scope="module")
def contract(shared: Path) -> GraphQLSchema:
    return build_ast_schema(parse((shared / "design" / "schema-contract.graphql").read_text()))


KINDS = (
    GraphQLEnumType,
    GraphQLUnionType,
    GraphQLObjectType,
    GraphQLInterfaceType,
    GraphQLInputObjectType,
)


def _kind(named: GraphQLNamedType) -> type:
    """The GraphQL kind of a type (Strawberry subclasses graphql-core's classes)."""
    return next((kind for kind in KINDS if isinstance(named, kind)), type(named))


def _user_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {name: kind for name, kind in schema.type_map.items() if not name.startswith("__")}


def test_every_contract_type_field_argument_and_value_exists_unchanged(
    exposed: GraphQLSchema, contract: GraphQLSchema
) -> None:
    problems: list[str] = []
    for name, expected in _user_types(contract).items():
        actual = exposed.type_map.get(name)
        if actual is None or _kind(actual) is not _kind(expected):
            problems.append(f"type {name}: missing or not a {_kind(expected).__name__}")
            continue
        if isinstance(expected, GraphQLEnumType):
            assert isinstance(actual, GraphQLEnumType)
            missing = set(expected.values) - set(actual.values)
            problems += [f"enum value {name}.{value}: missing" for value in sorted(missing)]
        elif isinstance(expected, GraphQLUnionType):
            assert isinstance(actual, GraphQLUnionType)
            missing = {t.name for t in expected.types} - {t.name for t in actual.types}
            problems += [f"union {name}: lacks {member}" for member in sorted(missing)]
        elif isinstance(expected, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(actual, GraphQLObjectType | GraphQLInterfaceType)
            interfaces = {i.name for i in expected.interfaces} - {i.name for i in actual.interfaces}
            problems += [f"{name}: does not implement {i}" for i in sorted(interfaces)]
            problems += _field_problems(name, expected.fields, actual.fields)
        elif isinstance(expected, GraphQLInputObjectType):
            assert isinstance(actual, GraphQLInputObjectType)
            problems += _input_problems(name, expected.fields, actual.fields)
    assert not problems, "\n".join(problems)


def _field_problems(
    owner: str, expected: dict[str, GraphQLField], actual: dict[str, GraphQLField]
) -> list[str]:
    problems = []
    for field_name, field in expected.items():
        found = actual.get(field_name)
        if found is None:
            problems.append(f"field {owner}.{field_name}: missing")
            continue
        if str(found.type) != str(field.type):
            problems.append(f"field {owner}.{field_name}: {found.type}, not {field.type}")
        problems += _argument_problems(f"{owner}.{field_name}", field.args, found.args)
        extra_required = [
            arg_name
            for arg_name, argument in found.args.items()
            if arg_name not in field.args
            and str(argument.type).endswith("!")
            and argument.default_value is None
        ]
        problems += [
            f"argument {owner}.{field_name}({a}): new and required" for a in extra_required
        ]
    return problems


def _argument_problems(
    owner: str, expected: dict[str, GraphQLArgument], actual: dict[str, GraphQLArgument]
) -> list[str]:
    problems = []
    for arg_name, argument in expected.items():
        found = actual.get(arg_name)
        if found is None:
            problems.append(f"argument {owner}({arg_name}): missing")
        elif str(found.type) != str(argument.type):
            problems.append(f"argument {owner}({arg_name}): {found.type}, not {argument.type}")
    return problems


def _input_problems(
    owner: str, expected: dict[str, GraphQLInputField], actual: dict[str, GraphQLInputField]
) -> list[str]:
    problems = []
    for field_name, field in expected.items():
        found = actual.get(field_name)
        if found is None:
            problems.append(f"input field {owner}.{field_name}: missing")
        elif str(found.type) != str(field.type):
            problems.append(f"input field {owner}.{field_name}: {found.type}, not {field.type}")
    return problems
