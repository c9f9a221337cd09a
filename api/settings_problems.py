"""A bad setting as the line an operator reads: the variable, its value, what is allowed.

pydantic's own report names the field (`port`), not the variable (`EVENTGRAPH_PORT`), and runs to
a traceback; `describe` turns it into one line per bad variable.
"""

import os
import re
import types
from enum import Enum
from pathlib import Path
from typing import Literal, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic_settings import NoDecode, SettingsError

from api.settings import Settings

# A URL's password, shown as *** (a database URL is a secret's home).
URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
FIELD_OF_PARSE_ERROR = re.compile(r'field "(\w+)"')


def variable(field: str) -> str:
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()


def masked(value: object) -> str:
    return URL_PASSWORD.sub(r"\1***@", str(value))


def allowed(field: str) -> str:
    """What the field accepts, in the words of an environment variable's value."""
    info = Settings.model_fields[field]
    annotation = info.annotation
    optional = get_origin(annotation) in (Union, types.UnionType)
    kinds = get_args(annotation) if optional else (annotation,)
    words = []
    for kind in kinds:
        if kind is type(None):
            continue
        if isinstance(kind, type) and issubclass(kind, Enum):
            words.append(" or ".join(str(member.value) for member in kind))
        elif get_origin(kind) is Literal:
            words.append(" or ".join(str(value) for value in get_args(kind)))
        elif kind is bool:
            words.append("true or false")
        elif kind is int:
            words.append("a whole number")
        elif kind is float:
            words.append("a number")
        elif kind is Path:
            words.append("a path")
        elif get_origin(kind) is list:
            comma_separated = any(item is NoDecode for item in info.metadata)
            words.append(
                "comma-separated values"
                if comma_separated
                else 'a JSON list of strings, e.g. ["https://app.example"]'
            )
        else:
            words.append("text")
    return " ".join([" or ".join(words), *bounds(info.metadata)]).strip()


def bounds(metadata: list[object]) -> list[str]:
    """The bounds pydantic's Field(ge=, gt=, le=, min_length=) put in a field's metadata."""

    def bound(name: str) -> object | None:
        return next((getattr(item, name) for item in metadata if hasattr(item, name)), None)

    ge, gt, le = bound("ge"), bound("gt"), bound("le")
    if ge is not None and le is not None:
        return [f"from {ge} to {le}"]
    if le is not None:
        return [f"at most {le}"]
    if ge is not None:
        return [f"at least {ge}"]
    if gt is not None:
        return [f"above {gt}"]
    if bound("min_length"):
        return ["(not empty)"]
    return []


def describe(error: ValidationError | SettingsError) -> list[str]:
    """One line per bad variable: `bad setting EVENTGRAPH_PORT='abc': expected ...`."""
    if isinstance(error, SettingsError):
        found = FIELD_OF_PARSE_ERROR.search(str(error))
        if found is None:
            return [f"bad setting: {error}"]
        field = found.group(1)
        value = os.environ.get(variable(field), "")
        return [f"bad setting {variable(field)}={masked(value)!r}: expected {allowed(field)}"]
    lines = []
    for problem in error.errors(include_url=False):
        location = problem["loc"]
        if not location:  # a rule between settings: its message names them
            lines.append(f"bad settings: {problem['msg'].removeprefix('Value error, ')}")
            continue
        field = str(location[0])
        value = masked(problem["input"])
        if problem["type"] == "value_error":  # a validator of ours: its message says what is wrong
            reason = problem["msg"].removeprefix("Value error, ")
        else:
            reason = f"expected {allowed(field)}"
        lines.append(f"bad setting {variable(field)}={value!r}: {reason}")
    return lines
