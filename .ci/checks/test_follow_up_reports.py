"""The corpus against the eighteen follow-up reports: every quote word for word, every quotation
modelled, every claim's wording and every printed name found in its report.

The reports are not part of the repository: CI has them beside the clone (seed/follow-ups/) and
runs this file from .ci/run with --shared (see conftest.py). Each report is mapped to its source
by the URL in its header. The rules for quotations are in docs/seed-corpus.md ("Statements from
many reports"):

- a direct quote starts right after an opening quotation mark of its language and ends at the
  closing one; a trailing comma before the closing mark (the reporting sentence's, in English
  wire style) is not part of the quote, a full stop is;
- a quotation that holds more than one statement is split at a sentence's end or at an elision
  mark (« <...> », « ... »): each part is then a quote of its own;
- a quotation cut off by the end of the excerpt (no closing mark) is modelled up to its last
  complete clause, or not at all.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from api.fixtures.models import Event, Participant, Statement, Treaty
from api.vocabulary import StatementKind
from tests.fixtures.test_seed_corpus import corpus

FOLLOW_UPS = "follow-ups"
SEED_ARTICLE = "euronews-fr-2026-02-04-xi-putin.txt"

# Opening mark -> closing mark, for every language of the reports (straight quotes in English,
# French and Russian wire copy, guillemets and „“ in Russian, corner brackets in Chinese).
QUOTATION_MARKS = {'"': '"', "«": "»", "„": "“", "“": "”", "「": "」", "『": "』"}
# English headlines quote with single marks ('grand plan'); a span counts only when its marks
# are not inside a word, so apostrophes (Xi's, others') do not open or close one.
SINGLE_QUOTED = re.compile(r"(?<![A-Za-z])'([^'\n]+)'(?![A-Za-z])")
ELISIONS = ("<...>", "...")
# What may separate or follow the modelled parts of one quotation.
JOINERS = re.compile(r"^[\s,.;:–—-]*$")

# Quotations that are not a statement's words, with the reason, per report (file name prefix).
NOT_MODELLED = {
    "01": {"no-limits": "the name of the 2022 partnership (an event), attributed to no speaker"},
    "08": {"Установления весны": "the name of the festival, inside putin-notes-lichun"},
    "10": {
        "Синьхуа": "the news agency's name",
        "в": "cut by the excerpt's end after one letter (a Trump remark at Busan): nothing known",
    },
    "12": {
        "sans limites": "the name of the 2022 partnership (an event), attributed to no speaker",
        "consensus l": "cut by the excerpt's end (the diplomats' meeting of 3 February)",
    },
    "13": {
        "十五五": "the plan's name, inside xi-15th-five-year-plan-opening-up",
        "中俄睦鄰友好合作條約": "the treaty's name, inside xi-2026-anniversaries",
    },
    "14": {
        "無上限": "the partnership's label, in the report's own narration",
        "和平理事會": "the Board of Peace's name, inside a rendering of ushakov-views-…",
    },
}

# Names the reports print for participants and treaties, as printed (nominative forms only:
# declined Russian forms are not stored), each with its language: every one must be a name of a
# participant or treaty of the corpus in that language, and occur in its report.
FOLLOW_UP_ALIASES: dict[str, set[tuple[str, str]]] = {
    "01": {("Xi Jinping", "en"), ("Vladimir Putin", "en"), ("Yuri Ushakov", "en"), ("CCTV", "en")},
    "02": {("Xi Jinping", "en"), ("Donald Trump", "en"), ("Kremlin", "en")},
    "03": {("Putin", "en"), ("Xi", "en"), ("NATO", "en"), ("Denmark", "en")},
    "04": {("Yury Ushakov", "en"), ("Board of Peace", "en"), ("New START", "en")},
    "05": {("Ali Larijani", "en"), ("Nicolas Maduro", "en"), ("Tehran", "en"), ("U.S.", "en")},
    "06": {("Юрий Ушаков", "ru"), ("АТЭС", "ru")},
    "07": {("Дмитрий Песков", "ru"), ("ДСНВ", "ru"), ("РФ", "ru"), ("КНР", "ru")},
    "08": {("Владимир Путин", "ru"), ("Си Цзиньпин", "ru")},
    "09": {("Си Цзиньпин", "ru"), ("Россия", "ru")},
    "10": {("США", "ru")},
    "11": {("ООН", "ru"), ("БРИКС", "ru"), ("Шанхайская организация сотрудничества", "ru")},
    "12": {("Iouri Ouchakov", "fr"), ("Kim Jong Un", "fr"), ("Pékin", "fr")},
    "13": {
        ("習近平", "zh-Hant"),
        ("普亭", "zh-Hant"),
        ("尤里烏沙科夫", "zh-Hant"),
        ("佩斯科夫", "zh-Hant"),
        ("新華社", "zh-Hant"),
        ("克里姆林宮", "zh-Hant"),
    },
    "14": {
        ("普廷", "zh-Hant"),
        ("川普", "zh-Hant"),
        ("鄂夏柯夫", "zh-Hant"),
        ("張又俠", "zh-Hant"),
        ("駱明輝", "zh-Hant"),
        ("聯合國", "zh-Hant"),
    },
    "15": {("Xinhua", "en"), ("Trump", "en")},
    "16": {("Dmitry Peskov", "en"), ("New Strategic Arms Reduction Treaty", "en")},
    "17": {("СНВ-3", "ru")},
    "18": {("Antonio Guterres", "en"), ("United Nations", "en")},
}


@dataclass(frozen=True)
class Report:
    """One follow-up report: its file, its source in the corpus and its text (after the header)."""

    code: str
    url: str
    text: str


@dataclass(frozen=True)
class Quotation:
    """The words between an opening mark and its closing mark (or the excerpt's end)."""

    words: str
    closed: bool


@dataclass(frozen=True)
class Quoted:
    """A direct quote of the corpus: a statement's main text or one of its renderings."""

    slug: str
    text: str
    source: str


@cache
def reports(shared: Path) -> dict[str, Report]:
    """The follow-up reports by source slug, mapped by the URL in each header."""
    by_url = {
        source.url: source.slug
        for file in corpus().files.values()
        for source in file.sources
        if source.url
    }
    found: dict[str, Report] = {}
    for path in sorted((shared / "seed" / FOLLOW_UPS).glob("*.txt")):
        capture = path.read_text(encoding="utf-8")
        header, _, text = capture.partition("\nCaptured:")
        url = re.search(r"^URL: (\S+)$", header, re.MULTILINE)
        assert url, f"{path.name} has no URL line"
        assert url.group(1) in by_url, f"{path.name}: no source has the URL {url.group(1)}"
        found[by_url[url.group(1)]] = Report(path.name[:2], url.group(1), text.partition("\n")[2])
    return found


@pytest.fixture(scope="module")
def follow_ups(shared: Path) -> dict[str, Report]:
    return reports(shared)


def quotations(text: str) -> list[Quotation]:
    """Every span between quotation marks, in order; an unclosed one runs to the end."""
    found: list[Quotation] = []
    at = 0
    while at < len(text):
        mark = text[at]
        if mark not in QUOTATION_MARKS:
            at += 1
            continue
        end = text.find(QUOTATION_MARKS[mark], at + 1)
        if end < 0:
            found.append(Quotation(text[at + 1 :].rstrip(), closed=False))
            break
        found.append(Quotation(text[at + 1 : end], closed=True))
        at = end + 1
    found += [Quotation(words, closed=True) for words in SINGLE_QUOTED.findall(text)]
    return found


def direct_quotes(statements: list[Statement]) -> Iterator[Quoted]:
    for statement in statements:
        if statement.kind is StatementKind.DIRECT_QUOTE:
            yield Quoted(statement.slug, statement.text, statement.source)
        for rendering in statement.renderings:
            if rendering.kind is StatementKind.DIRECT_QUOTE:
                yield Quoted(statement.slug, rendering.text, rendering.source)


def without_elisions(text: str) -> str:
    for elision in ELISIONS:
        text = text.replace(elision, "")
    return text


def is_part_of(quote: str, quotation: Quotation) -> bool:
    """The quote is the quotation (less a trailing comma), or a part cut at the rules' places."""
    words = quotation.words.strip()
    if quote.endswith(","):
        return False
    for start in (match.start() for match in re.finditer(re.escape(quote), words)):
        before, after = words[:start].rstrip(), words[start + len(quote) :]
        starts_well = before == "" or before.endswith((".", "!", "?", *ELISIONS))
        ends_well = (
            after.strip() in ("", ",")
            or (quote.endswith((".", "!", "?")) and after.startswith(" "))
            or after.lstrip(" ,").startswith(ELISIONS)
            or (not quotation.closed and after.startswith(","))
        )
        if starts_well and ends_well:
            return True
    return False


def test_every_follow_up_is_a_source_of_the_corpus(follow_ups: dict[str, Report]) -> None:
    assert sorted(report.code for report in follow_ups.values()) == [
        f"{n:02}" for n in range(1, 19)
    ]


def test_direct_quotes_are_the_words_between_quotation_marks(
    follow_ups: dict[str, Report],
) -> None:
    misquoted = [
        (quoted.slug, quoted.text)
        for quoted in direct_quotes(corpus().statements)
        if quoted.source in follow_ups
        and not any(
            is_part_of(quoted.text, quotation)
            for quotation in quotations(follow_ups[quoted.source].text)
        )
    ]
    assert misquoted == []


def test_every_rendering_is_verbatim_in_its_report(follow_ups: dict[str, Report]) -> None:
    """Paraphrases too: the corpus keeps each report's own sentence, not a rewording of it."""
    texts = [
        (statement.slug, text, source)
        for statement in corpus().statements
        for text, source in [
            (statement.text, statement.source),
            *((rendering.text, rendering.source) for rendering in statement.renderings),
        ]
        if source in follow_ups
    ]
    assert len(texts) > 100
    assert [
        (slug, text) for slug, text, source in texts if text not in follow_ups[source].text
    ] == []


def test_every_claim_wording_is_verbatim_in_its_source(
    follow_ups: dict[str, Report], shared: Path
) -> None:
    seed = (shared / "seed" / SEED_ARTICLE).read_text(encoding="utf-8")
    texts = {slug: report.text for slug, report in follow_ups.items()}
    texts["euronews-fr-2026-02-04-xi-putin"] = seed
    c = corpus()
    owners: list[Event | Statement | Treaty | Participant] = [
        *c.events.values(),
        *c.statements,
        *c.treaties.values(),
        *c.participants.values(),
    ]
    claims = [(owner.slug, claim) for owner in owners for claim in owner.claims]
    assert len(claims) > 40
    unknown = sorted({claim.source for _, claim in claims} - set(texts))
    assert unknown == [], "claims citing a source without a captured text"
    assert [
        (slug, claim.wording)
        for slug, claim in claims
        if claim.wording is not None and claim.wording not in texts[claim.source]
    ] == []


def test_every_quotation_in_the_follow_ups_is_modelled(follow_ups: dict[str, Report]) -> None:
    quoted = list(direct_quotes(corpus().statements))
    unmodelled: list[tuple[str, str]] = []
    for source, report in follow_ups.items():
        excused = NOT_MODELLED.get(report.code, {})
        parts = [q.text for q in quoted if q.source == source]
        for quotation in quotations(report.text):
            words = quotation.words.strip()
            if words in excused:
                continue
            inside = [part for part in parts if is_part_of(part, quotation)]
            rest = words
            for part in sorted(inside, key=len, reverse=True):
                rest = rest.replace(part, "\n", 1)
            if not quotation.closed:
                # the cut tail after the last modelled part is unknown: nothing to model
                rest = rest.rpartition("\n")[0] if "\n" in rest else rest
            leftovers = [
                piece for piece in rest.split("\n") if not JOINERS.match(without_elisions(piece))
            ]
            if not inside or leftovers:
                unmodelled.append((report.code, words))
    assert unmodelled == []


def test_the_excused_quotations_are_in_their_reports(follow_ups: dict[str, Report]) -> None:
    by_code = {report.code: report for report in follow_ups.values()}
    missing = [
        (code, words)
        for code, excused in NOT_MODELLED.items()
        for words in excused
        if words not in {q.words.strip() for q in quotations(by_code[code].text)}
    ]
    assert missing == []


def test_new_statements_follow_their_reports_order(follow_ups: dict[str, Report]) -> None:
    for source, report in follow_ups.items():
        own = sorted(
            (s for s in corpus().statements if s.source == source),
            key=lambda statement: statement.position or 0,
        )
        assert [s.position for s in own] == list(range(len(own))), source
        offsets = [report.text.index(s.text) for s in own]
        assert offsets == sorted(offsets), [s.slug for s in own]


def test_the_names_the_reports_print_are_aliases(follow_ups: dict[str, Report]) -> None:
    by_code = {report.code: report for report in follow_ups.values()}
    c = corpus()
    named: list[Participant | Treaty] = [*c.participants.values(), *c.treaties.values()]
    stored = {(name.value, name.language) for owner in named for name in owner.names}
    assert set(FOLLOW_UP_ALIASES) == set(by_code)
    assert [
        (code, alias)
        for code, aliases in FOLLOW_UP_ALIASES.items()
        for alias, _ in aliases
        if alias not in by_code[code].text
    ] == []
    assert (
        sorted(
            alias
            for aliases in FOLLOW_UP_ALIASES.values()
            for alias in aliases
            if alias not in stored
        )
        == []
    )
