"""Which of an owner's names (or labels) to show for a language: one rule.

The candidates are the names whose tag is the language asked for (ignoring ASCII case), else
those sharing its primary subtag ("fr-CA" finds "fr"). The primary name wins when it is one of
them; otherwise the candidate listed first (the lowest `position`, the order of the fixture
file). With no language, or no candidate, the primary name.
"""

from collections.abc import Sequence

from api.store.entities import Row


def language_key(tag: str) -> str:
    """A tag compared without ASCII case: BCP 47 tags are ASCII, and case-insensitive."""
    return tag.translate(ASCII_LOWER)


def primary_subtag(tag: str) -> str:
    return language_key(tag).split("-", 1)[0]


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def best_name(names: Sequence[Row], language: str | None) -> str:
    """The name of `names` (name rows with value, language, is_primary, position) to show."""
    ranked = sorted(names, key=lambda row: (not row["is_primary"], row["position"]))
    if not ranked:
        return ""
    if language:
        wanted = language_key(language)
        exact = [row for row in ranked if language_key(row["language"]) == wanted]
        subtag = primary_subtag(language)
        candidates = exact or [row for row in ranked if primary_subtag(row["language"]) == subtag]
        if candidates:
            return str(candidates[0]["value"])
    return str(ranked[0]["value"])
