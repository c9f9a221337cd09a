"""Checks against the design folder beside the clone (the contract, the seed article and the
eighteen follow-up reports).

`.ci/run` runs them with `pytest .ci/checks --shared ../shared`; they are not part of `make
test`, which passes on a clone with nothing beside it.
"""

from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shared",
        type=Path,
        required=True,
        help="the design folder: design/schema-contract.graphql, seed/ with the article and "
        "seed/follow-ups/ with the follow-up reports",
    )


@pytest.fixture(scope="session")
def shared(request: pytest.FixtureRequest) -> Path:
    folder: Path = request.config.getoption("--shared")
    assert folder.is_dir(), f"--shared {folder} is not a folder"
    return folder.resolve()
