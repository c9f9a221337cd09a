"""Refresh the committed GraphiQL assets from the npm registry: `make ide-assets`.

A developer runs this after changing a pinned version below; the app never fetches anything. `npm
pack` downloads each pinned tarball (and checks it against the registry's integrity hash), the
files the page needs and each package's licence are copied into api/ide/assets/, and MANIFEST.json
records the versions and the SHA-256 of every copied file, which a test checks.

GraphiQL stays on 3.x: its UMD build runs from plain <script> tags with React 18's UMD builds
(GraphiQL 4 and 5 ship only ES modules for a bundler, and React 19 has no UMD build).
"""

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
MANIFEST = ASSETS / "MANIFEST.json"


@dataclass(frozen=True)
class Package:
    """One npm package: its pinned version and the files taken from it (tarball path: asset)."""

    name: str
    version: str
    files: dict[str, str]


PINNED = (
    Package(
        "react",
        "18.3.1",
        {"umd/react.production.min.js": "react.production.min.js", "LICENSE": "react.LICENSE"},
    ),
    Package(
        "react-dom",
        "18.3.1",
        {
            "umd/react-dom.production.min.js": "react-dom.production.min.js",
            "LICENSE": "react-dom.LICENSE",
        },
    ),
    Package(
        "graphiql",
        "3.9.0",
        {
            "graphiql.min.js": "graphiql.min.js",
            "graphiql.min.css": "graphiql.min.css",
            "LICENSE": "graphiql.LICENSE",
        },
    ),
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pack(package: Package, folder: Path) -> Path:
    """The tarball of the pinned version, downloaded by npm into `folder`."""
    output = subprocess.run(
        [
            "npm",
            "pack",
            f"{package.name}@{package.version}",
            "--json",
            "--pack-destination",
            folder,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    filename: str = json.loads(output)[0]["filename"]
    return folder / filename


def extract(package: Package, tarball: Path) -> dict[str, str]:
    """Copies the package's files into ASSETS; their SHA-256 by asset name."""
    hashes: dict[str, str] = {}
    with tarfile.open(tarball) as archive:
        for inner, asset in package.files.items():
            source = archive.extractfile(f"package/{inner}")
            if source is None:
                raise SystemExit(f"{package.name}@{package.version} has no file {inner}")
            with source, (ASSETS / asset).open("wb") as target:
                shutil.copyfileobj(source, target)
            hashes[asset] = sha256_of(ASSETS / asset)
    return hashes


def remove_previous() -> None:
    """Deletes the files the last refresh copied, so a file no longer pinned goes too."""
    if MANIFEST.exists():
        for package in json.loads(MANIFEST.read_text()).values():
            for asset in package["files"]:
                (ASSETS / asset).unlink(missing_ok=True)


def main() -> None:
    remove_previous()
    manifest: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="eventgraph-ide-") as folder:
        for package in PINNED:
            tarball = pack(package, Path(folder))
            manifest[package.name] = {
                "version": package.version,
                "files": extract(package, tarball),
            }
            print(f"{package.name}@{package.version}: {', '.join(package.files.values())}")
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {MANIFEST}")


if __name__ == "__main__":
    main()
