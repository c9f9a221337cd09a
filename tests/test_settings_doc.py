"""docs/operations.md lists every setting as the Settings class declares it."""

import re

from api.settings import PROJECT_ROOT, Settings, settings_table

OPERATIONS = PROJECT_ROOT / "docs" / "operations.md"


def test_the_operations_guide_lists_every_setting_as_declared() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    found = re.search(r"<!-- settings:[^\n]*-->\n(.*?)<!-- settings end -->", text, re.DOTALL)
    assert found is not None, "the settings table's markers are missing from docs/operations.md"
    assert found.group(1) == settings_table(), (
        "docs/operations.md is out of date: paste `eventgraph settings` between the markers"
    )


def test_every_setting_is_described() -> None:
    undescribed = [name for name, field in Settings.model_fields.items() if not field.description]
    assert undescribed == []
