"""A file system error said in words: what went wrong, where, and what to do, instead of
Python's `[Errno 2] No such file or directory: 'x'`."""

from pathlib import Path

_REASONS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "does not exist: check the path"),
    (FileExistsError, "already exists as a file: choose a path that is not taken"),
    (NotADirectoryError, "goes through a file as if it were a folder: check the path"),
    (IsADirectoryError, "is a folder, not a file: name a file"),
    (PermissionError, "may not be used by this user (permission denied): check its permissions"),
)


def in_words(error: OSError, path: Path | str | None = None) -> str:
    """`error` as a sentence naming `path` (or the file the error names)."""
    where = str(path if path is not None else error.filename or "the path")
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return f"{where} {reason}"
    return f"{where}: {(error.strerror or str(error)).lower()}"
