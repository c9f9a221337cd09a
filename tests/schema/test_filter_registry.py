"""The GraphQL filter inputs, made from the store's filter registry, offer what the store compiles.

Each `XFilter` input offers exactly the fields `api.store.entities` compiles for its entity
(plus and/or/not), each scalar field offers exactly the operators the store compiles for its
kind, and each relation takes the filter of the entity it leads to.
"""

import re

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, get_named_type

from api.store.entities import (
    ENTITIES,
    Entity,
    ListRelation,
    NameField,
    ScalarField,
    ScalarKind,
    SearchField,
    SingleRelation,
    TreatyStatusField,
)
from api.store.filters import OPERATORS, QUANTIFIERS
from schema.filters import FILTER_INPUTS
from schema.schema import build_schema, graphql_core_schema

SCHEMA = graphql_core_schema(build_schema())
ENTITY_FILTERS = {entity: f"{entity.name.capitalize()}Filter" for entity in Entity}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def input_type(name: str) -> GraphQLInputObjectType:
    found = SCHEMA.get_type(name)
    assert isinstance(found, GraphQLInputObjectType), name
    return found


@pytest.mark.parametrize("entity", list(Entity))
def test_each_filter_input_offers_the_registrys_fields(entity: Entity) -> None:
    graphql = input_type(ENTITY_FILTERS[entity])
    assert FILTER_INPUTS[entity].__name__ == graphql.name
    offered = {snake(name) for name in graphql.fields}
    assert offered == {*ENTITIES[entity].fields, "and", "or", "not"}


@pytest.mark.parametrize("entity", list(Entity))
def test_each_field_takes_what_the_store_compiles(entity: Entity) -> None:
    graphql = input_type(ENTITY_FILTERS[entity])
    for name, field in graphql.fields.items():
        key = snake(name)
        if key in ("and", "or", "not"):
            assert get_named_type(field.type).name == graphql.name
            assert isinstance(field.type, GraphQLList) is (key != "not")
            continue
        declared = ENTITIES[entity].fields[key]
        kind = get_named_type(field.type)
        match declared:
            case ScalarField(kind=scalar):
                operators = {snake(op) for op in input_type(kind.name).fields}
                assert operators == OPERATORS[scalar], (entity, key)
            case NameField():
                operators = {snake(op) for op in input_type(kind.name).fields}
                assert operators == OPERATORS[ScalarKind.STRING], (entity, key)
            case SingleRelation(target=target):
                assert kind.name == ENTITY_FILTERS[target], (entity, key)
            case ListRelation(target=target):
                quantified = input_type(kind.name)
                assert set(quantified.fields) == set(QUANTIFIERS), (entity, key)
                for quantifier in quantified.fields.values():
                    assert get_named_type(quantifier.type).name == ENTITY_FILTERS[target]
            case SearchField():
                assert kind.name == "String"
            case TreatyStatusField():
                assert {snake(op) for op in input_type(kind.name).fields} == {"eq", "in"}
