"""docs/extending.md's two walkthroughs, done for real: a copy of the project gets a column on
Statement and a new entity (Venue) through exactly the edits the guide shows, and a separate
Python process over that copy checks every surface that derives from the declarations (the
schema, filters, orders, node lookup, search, both read paths, the fixture format, load, export
and a load → query → export round trip, the migrations against the tables).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from api.settings import PROJECT_ROOT
from tests.extending.walkthroughs import ENTITY, FIELD, MIGRATIONS, Edit

CHECK = Path(__file__).with_name("check.py")
COPIED = ("api", "schema", "alembic", "pyproject.toml")


def extended_copy(folder: Path, edits: tuple[Edit, ...]) -> Path:
    """A copy of the project's code with `edits` and the walkthroughs' migrations applied."""
    root = folder / "project"
    root.mkdir()
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignored)
        else:
            shutil.copy2(source, root / name)
    head = ScriptDirectory(str(PROJECT_ROOT / "alembic")).get_current_head()
    assert head is not None
    for path, text in MIGRATIONS.items():
        (root / path).write_text(text.replace("{head}", head), encoding="utf-8")
    for edit in edits:
        edit.apply(root)
    shutil.copy2(CHECK, root / CHECK.name)
    return root


def run_check(root: Path, server_url: URL) -> subprocess.CompletedProcess[str]:
    paths = [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "EXTENSION_ROOT": str(root),
        "EXTENSION_SERVER_URL": server_url.render_as_string(hide_password=False),
    }
    return subprocess.run(
        [sys.executable, CHECK.name],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_guide_shows_every_edit() -> None:
    guide = (PROJECT_ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    for edit in (*FIELD, *ENTITY):
        assert edit.text.strip("\n") in guide, f"docs/extending.md lacks this edit of {edit.path}"


def test_the_walkthroughs_stay_within_their_budgets() -> None:
    """A column: three files besides its migration; an entity: at most six."""
    assert len({edit.path for edit in FIELD}) == 3
    assert len({edit.path for edit in ENTITY}) <= 6


@pytest.mark.slow
def test_a_new_column_and_entity_reach_every_surface(tmp_path: Path, server_url: URL) -> None:
    root = extended_copy(tmp_path, (*FIELD, *ENTITY))
    checked = run_check(root, server_url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().endswith("ok")


def test_a_column_left_out_of_the_registry_is_caught(tmp_path: Path, server_url: URL) -> None:
    """The negative control: without the registry's line, the filter lacks the column, and the
    check says so (so the check above can fail)."""
    registry_line = FIELD[1]
    assert registry_line.path == "api/store/entities.py"
    edits = tuple(edit for edit in (*FIELD, *ENTITY) if edit is not registry_line)
    checked = run_check(extended_copy(tmp_path, edits), server_url)
    assert checked.returncode != 0
    assert "StatementFilter.note" in checked.stderr
