"""The layering README describes, checked on the imports themselves."""

import ast
from pathlib import Path

from api.settings import PROJECT_ROOT


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_schema_does_not_import_the_access_control() -> None:
    importing = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            name for name in _imported(path) if name.startswith("api.security")
        )
        for path in sorted((PROJECT_ROOT / "schema").rglob("*.py"))
    }
    assert {path: names for path, names in importing.items() if names} == {}


def test_the_bottom_imports_nothing_of_the_project() -> None:
    for module in ("cache", "codes", "charge"):
        imported = _imported(PROJECT_ROOT / "api" / f"{module}.py")
        assert {name for name in imported if name.split(".")[0] in {"api", "schema"}} == set()
