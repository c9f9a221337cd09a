"""The GraphQL documents the requests benchmark sends: bench/queries/*.graphql, each read once.

A file starts with comment lines saying what it asks, then holds one operation. The API and the
floor get the same text; the floor (bench/floor.py) knows each document by its exact text.
"""

from dataclasses import dataclass
from pathlib import Path

QUERIES = Path(__file__).with_name("queries")


@dataclass(frozen=True)
class Document:
    name: str
    """The file's stem: "q1-meeting"."""
    description: str
    """The file's leading comment, joined into one line."""
    text: str
    """The operation, as sent."""


def read_document(path: Path) -> Document:
    lines = path.read_text(encoding="utf-8").splitlines()
    comment = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    description = " ".join(line.lstrip("# ").strip() for line in comment)
    return Document(path.stem, description, "\n".join(body).strip() + "\n")


DOCUMENTS: dict[str, Document] = {
    path.stem: read_document(path) for path in sorted(QUERIES.glob("*.graphql"))
}
