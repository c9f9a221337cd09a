"""The mutations' input types, derived from the fixture models: an object is written through the
API with the fields it has in a fixture file.

For each entity, `<Type>CreateInput` has its fixture model's fields (required where the model
requires them), and `<Type>UpdateInput` the same fields, all optional: a field left out is
unchanged, a list given replaces the stored one. References are slugs, as in fixture files
(a slug is what people write and read; a global ID would be one more thing to look up first).
Sub-objects (an event's location, a participant's names and roles, a treaty's milestones)
are input types of their own, `<Model>Input`. Enums are the schema's (`schema.enums`).
"""

import datetime as dt
from enum import Enum
from typing import Any, get_args, get_origin

import strawberry
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from strawberry.types.base import get_object_definition

import schema.enums
import schema.types.query  # registers every entity's type in ENTITY_CLASSES
from api.fixtures.mapping import FIXTURES, SINGULAR, bare_type, list_item, references
from api.store.entities import ENTITIES, Entity
from schema.fields import ENTITY_CLASSES


class _Deriving:
    """Makes each input type once (a model's sub-object input is shared by create and update)."""

    def __init__(self) -> None:
        self.nested: dict[type[BaseModel], type] = {}

    def graphql_type(self, annotation: Any) -> Any:
        bare = bare_type(annotation)
        if get_origin(bare) is list:
            return list[self.graphql_type(get_args(bare)[0])]  # type: ignore[misc]
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            return self.nested_input(bare)
        if isinstance(bare, type) and issubclass(bare, Enum):
            return getattr(schema.enums, bare.__name__)
        if bare in (str, int, bool, dt.date, dt.datetime):
            return bare
        raise TypeError(f"no GraphQL input type for {bare!r}")

    def nested_input(self, model: type[BaseModel]) -> type:
        made = self.nested.get(model)
        if made is None:
            description = (model.__doc__ or f"A {model.__name__.lower()}.").strip()
            made = self.input_class(f"{model.__name__}Input", description, model, {}, False)
            self.nested[model] = made
        return made

    def input_class(
        self,
        name: str,
        description: str,
        model: type[BaseModel],
        descriptions: dict[str, str],
        all_optional: bool,
    ) -> type:
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {"__annotations__": annotations}
        for field_name, info in model.model_fields.items():
            kind = self.graphql_type(info.annotation)
            about = _description(field_name, info, descriptions)
            if info.is_required() and not all_optional:
                annotations[field_name] = kind
                namespace[field_name] = strawberry.field(description=about)
            else:
                annotations[field_name] = kind | None
                namespace[field_name] = strawberry.field(
                    description=about, default=strawberry.UNSET
                )
        return strawberry.input(type(name, (), namespace), name=name, description=description)


def _description(name: str, info: FieldInfo, descriptions: dict[str, str]) -> str:
    """The model's description of the field, else the read type's, else that of the model of
    its items, else its name in words."""
    item = bare_type(info.annotation)
    item = list_item(item) or item
    model_doc = item.__doc__ if isinstance(item, type) and issubclass(item, BaseModel) else None
    return (
        info.description
        or descriptions.get(name)
        or (model_doc or "").strip()
        or f"The {name.replace('_', ' ')}."
    )


def _read_descriptions(entity: Entity) -> dict[str, str]:
    """The descriptions of the entity's GraphQL type's fields, by Python name."""
    definition = get_object_definition(ENTITY_CLASSES[entity], strict=True)
    return {field.python_name: field.description or "" for field in definition.fields}


def _reference_descriptions(kind: str, read: dict[str, str]) -> dict[str, str]:
    """The read descriptions, each reference field's saying it takes slugs."""
    found = dict(read)
    for reference in references(kind):
        if reference.within is None and len(reference.path) == 1:
            name = reference.path[0]
            target = SINGULAR[reference.target]
            plural = "slugs" if reference.many else "slug"
            found[name] = f"{read.get(name, '').rstrip('.')} (by {target} {plural})".lstrip(" ")
    return found


_deriving = _Deriving()

CREATE_INPUTS: dict[Entity, type] = {}
UPDATE_INPUTS: dict[Entity, type] = {}
for _entity, _spec in ENTITIES.items():
    _kind = str(_spec.table.name)
    _model = FIXTURES[_kind].model
    _described = _reference_descriptions(_kind, _read_descriptions(_entity))
    CREATE_INPUTS[_entity] = _deriving.input_class(
        f"{_spec.type_name}CreateInput",
        f"A new {_spec.type_name}: its fields as in a fixture file, references by slug.",
        _model,
        _described,
        False,
    )
    UPDATE_INPUTS[_entity] = _deriving.input_class(
        f"{_spec.type_name}UpdateInput",
        f"What changes in a {_spec.type_name}: a field left out is unchanged, a list given "
        "replaces the stored one.",
        _model,
        _described,
        True,
    )


WRITE_INPUTS = frozenset(
    get_object_definition(made, strict=True).name
    for made in (*CREATE_INPUTS.values(), *UPDATE_INPUTS.values(), *_deriving.nested.values())
)
"""The names of the mutations' input types (their fields' size limits: `schema.input_limits`)."""


def fixture_values(value: Any) -> Any:
    """An input object's given fields as a fixture file has them (UNSET left out, enums as
    the vocabulary's members)."""
    if isinstance(value, list):
        return [fixture_values(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    definition = get_object_definition(value)
    if definition is None:
        return value
    given = {}
    for field in definition.fields:
        item = getattr(value, field.python_name)
        if item is not strawberry.UNSET:
            given[field.python_name] = fixture_values(item)
    return given
